// External Secrets Operator's CRDs, for the `external-secrets` runner's
// objects to be checked by the real API server (issue 12). Only the module's
// files are used (config/crds/bases); nothing is built. Its own module so that
// ESO's dependencies never move the control plane's (tests/peers/go).
module uepe.test/peers/eso

go 1.26.0

require github.com/external-secrets/external-secrets v0.16.2
