# No AWS keys are stored: the refresher's ServiceAccount assumes the IAM role (IRSA).
