# Log in to the UEPE registry; the password goes through stdin, never onto a command line.
aws ecr get-login-password --region eu-west-1 \
  | docker login --username AWS --password-stdin 462803626708.dkr.ecr.eu-west-1.amazonaws.com

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

# The image pull secret, the same as `kubectl create secret docker-registry`
# makes, with the password piped through stdin rather than put on a command line.
# Server-side apply: a client-side apply would copy the password into the
# last-applied-configuration annotation, which `kubectl describe` prints.
aws ecr get-login-password --region eu-west-1 \
  | { read -r p && printf '{"auths":{"https://462803626708.dkr.ecr.eu-west-1.amazonaws.com":{"username":"AWS","password":"%s","auth":"%s"}}}' "$p" "$(printf 'AWS:%s' "$p" | base64 | tr -d '\n')"; } \
  | kubectl create secret generic ecr-cred --namespace uepe --type=kubernetes.io/dockerconfigjson \
      --from-file=.dockerconfigjson=/dev/stdin --dry-run=client -o yaml \
  | kubectl label --local -f - app.kubernetes.io/component=pull-secret app.kubernetes.io/instance=ecr-cred app.kubernetes.io/managed-by=kubectl-uepe -o yaml \
  | kubectl apply --server-side --field-manager=kubectl-uepe --force-conflicts -f -

# The refresher's AWS keys, read from your environment (never typed into a command line).
# Applied server-side, so pasting again (new keys) updates the Secret in place.
kubectl create secret generic ecr-cred-refresher-aws --namespace uepe --from-file=credentials=/dev/stdin \
      --dry-run=client -o yaml <<EOF \
  | kubectl label --local -f - app.kubernetes.io/component=refresher app.kubernetes.io/instance=ecr-cred app.kubernetes.io/managed-by=kubectl-uepe -o yaml \
  | kubectl apply --server-side --field-manager=kubectl-uepe --force-conflicts -f -
[default]
aws_access_key_id = ${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}
aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}
EOF
