//! The refresher that keeps a pull secret's ECR password fresh: `cronjob
//! install`, `status`, `run` and `uninstall`, one module each, over what
//! they share — the refresher as the core describes it (`plan`), the keys
//! it stores (`keys`), the cluster's preconditions (`preconditions`) and
//! the password's expiry (`expiry`). `doctor` reads the same plan.

pub mod expiry;
mod install;
mod keys;
pub mod plan;
mod preconditions;
mod run;
mod status;
mod uninstall;

pub use install::install;
pub use run::run;
pub use status::status;
pub use uninstall::uninstall;
