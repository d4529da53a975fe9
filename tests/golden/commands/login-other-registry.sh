# Log in to the UEPE registry; the password goes through stdin, never onto a command line.
aws ecr get-login-password --region us-east-1 \
  | docker login --username AWS --password-stdin 123456789012.dkr.ecr.us-east-1.amazonaws.com
