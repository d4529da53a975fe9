# Mirror with skopeo: --all copies every architecture; --preserve-digests makes
# skopeo fail rather than push anything under a different digest.
aws ecr get-login-password --region eu-west-1 \
  | skopeo login --username AWS --password-stdin 462803626708.dkr.ecr.eu-west-1.amazonaws.com
skopeo copy --all --preserve-digests docker://462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ec docker://registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ec
skopeo copy --all --preserve-digests docker://462803626708.dkr.ecr.eu-west-1.amazonaws.com/usage-engine-private-edition:4.3.0-ui docker://registry.example.com:5000/team/uepe/usage-engine-private-edition:4.3.0-ui
