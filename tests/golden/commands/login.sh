# Log in to the UEPE registry; the password goes through stdin, never onto a command line.
aws ecr get-login-password --region eu-west-1 \
  | docker login --username AWS --password-stdin 462803626708.dkr.ecr.eu-west-1.amazonaws.com
