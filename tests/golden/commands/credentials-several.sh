# The refresher's AWS keys, read from your environment (never typed into a command line).
kubectl create secret generic ecr-cred-refresher-aws --namespace uepe --from-file=credentials=/dev/stdin <<EOF
[default]
aws_access_key_id = ${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}
aws_secret_access_key = ${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}
EOF
kubectl label secret ecr-cred-refresher-aws --namespace uepe app.kubernetes.io/managed-by=kubectl-uepe app.kubernetes.io/instance=ecr-cred app.kubernetes.io/component=refresher
