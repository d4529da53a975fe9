# Mirror with crane: copy keeps every architecture and the digests.
aws ecr get-login-password --region eu-west-1 \
  | crane auth login 462803626708.dkr.ecr.eu-west-1.amazonaws.com --username AWS --password-stdin
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0 registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ec registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ec
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-operator registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-operator
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ui registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ui
