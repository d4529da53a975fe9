# Mirror with plain docker (pull, tag, push).
aws ecr get-login-password --region eu-west-1 \
  | docker login --username AWS --password-stdin 462803626708.dkr.ecr.eu-west-1.amazonaws.com
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2 127.0.0.1:5000/usage-engine-private-edition:3.0.2
docker push 127.0.0.1:5000/usage-engine-private-edition:3.0.2
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2-ec
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2-ec 127.0.0.1:5000/usage-engine-private-edition:3.0.2-ec
docker push 127.0.0.1:5000/usage-engine-private-edition:3.0.2-ec
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2-operator
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2-operator 127.0.0.1:5000/usage-engine-private-edition:3.0.2-operator
docker push 127.0.0.1:5000/usage-engine-private-edition:3.0.2-operator
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2-ui
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:3.0.2-ui 127.0.0.1:5000/usage-engine-private-edition:3.0.2-ui
docker push 127.0.0.1:5000/usage-engine-private-edition:3.0.2-ui
