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
