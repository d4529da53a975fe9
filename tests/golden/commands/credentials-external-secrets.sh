# The refresher's AWS keys, read from your environment (never typed into a command line).
kubectl create secret generic ecr-cred-refresher-aws --namespace uepe --from-env-file=/dev/stdin <<EOF
access-key-id=${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}
secret-access-key=${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}
EOF
kubectl label secret ecr-cred-refresher-aws --namespace uepe app.kubernetes.io/managed-by=kubectl-uepe app.kubernetes.io/instance=ecr-cred app.kubernetes.io/component=refresher
kubectl create secret generic ecr-cred-refresher-aws --namespace uepe-test --from-env-file=/dev/stdin <<EOF
access-key-id=${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID}
secret-access-key=${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}
EOF
kubectl label secret ecr-cred-refresher-aws --namespace uepe-test app.kubernetes.io/managed-by=kubectl-uepe app.kubernetes.io/instance=ecr-cred app.kubernetes.io/component=refresher
