# Mirror with skopeo: --all copies every architecture; --preserve-digests makes
# skopeo fail rather than push anything under a different digest.
aws ecr get-login-password --region eu-west-1 \
  | skopeo login --username AWS --password-stdin 462803626708.dkr.ecr.eu-west-1.amazonaws.com
skopeo copy --all --preserve-digests docker://462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0 docker://registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0
skopeo copy --all --preserve-digests docker://462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ec docker://registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ec
skopeo copy --all --preserve-digests docker://462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-operator docker://registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-operator
skopeo copy --all --preserve-digests docker://462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ui docker://registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ui

# Mirror with crane: copy keeps every architecture and the digests.
aws ecr get-login-password --region eu-west-1 \
  | crane auth login 462803626708.dkr.ecr.eu-west-1.amazonaws.com --username AWS --password-stdin
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0 registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ec registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ec
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-operator registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-operator
crane copy 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ui registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ui

# Mirror with plain docker (pull, tag, push).
# WARNING: docker pull keeps only this machine's architecture of these
# amd64 + arm64 images; the pushed copy is single-architecture and its
# digests differ. Prefer skopeo or crane above.
aws ecr get-login-password --region eu-west-1 \
  | docker login --username AWS --password-stdin 462803626708.dkr.ecr.eu-west-1.amazonaws.com
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0 registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0
docker push registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ec
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ec registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ec
docker push registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ec
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-operator
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-operator registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-operator
docker push registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-operator
docker pull 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ui
docker tag 462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ui registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ui
docker push registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ui
