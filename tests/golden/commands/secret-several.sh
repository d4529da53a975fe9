# The image pull secret, the same as `kubectl create secret docker-registry`
# makes, with the password piped through stdin rather than put on a command line.
# Server-side apply: a client-side apply would copy the password into the
# last-applied-configuration annotation, which `kubectl describe` prints.
aws ecr get-login-password --region eu-west-1 \
  | { read -r p && printf '{"auths":{"https://462803626708.dkr.ecr.eu-west-1.amazonaws.com":{"username":"AWS","password":"%s","auth":"%s"}}}' "$p" "$(printf 'AWS:%s' "$p" | base64 | tr -d '\n')"; } \
  | kubectl create secret generic uepe-pull --namespace uepe --type=kubernetes.io/dockerconfigjson \
      --from-file=.dockerconfigjson=/dev/stdin --dry-run=client -o yaml \
  | kubectl label --local -f - app.kubernetes.io/component=pull-secret app.kubernetes.io/instance=uepe-pull app.kubernetes.io/managed-by=kubectl-uepe -o yaml \
  | kubectl apply --server-side --field-manager=kubectl-uepe --force-conflicts -f -
aws ecr get-login-password --region eu-west-1 \
  | { read -r p && printf '{"auths":{"https://462803626708.dkr.ecr.eu-west-1.amazonaws.com":{"username":"AWS","password":"%s","auth":"%s"}}}' "$p" "$(printf 'AWS:%s' "$p" | base64 | tr -d '\n')"; } \
  | kubectl create secret generic uepe-pull --namespace uepe-test --type=kubernetes.io/dockerconfigjson \
      --from-file=.dockerconfigjson=/dev/stdin --dry-run=client -o yaml \
  | kubectl label --local -f - app.kubernetes.io/component=pull-secret app.kubernetes.io/instance=uepe-pull app.kubernetes.io/managed-by=kubectl-uepe -o yaml \
  | kubectl apply --server-side --field-manager=kubectl-uepe --force-conflicts -f -
