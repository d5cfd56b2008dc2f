//! Features that need a newer Terraform than the one on `PATH` may be: the Terraforms that have them, and a line
//! saying which were left out, so that a run never passes silently on a Terraform that did not test anything.

use super::{Terraform, terraforms};

/// The major and minor version of `terraform`.
pub fn version(terraform: &Terraform) -> (u32, u32) {
    let mut parts = terraform
        .version
        .split(['.', '-'])
        .map(|p| p.parse::<u32>().unwrap_or(0));
    (parts.next().unwrap_or(0), parts.next().unwrap_or(0))
}

/// The Terraforms of at least `minimum` (major, minor), for `feature`. Prints each one left out; panics when none
/// is left (Terraform 1.15 from PyPI always is).
pub fn terraforms_supporting(minimum: (u32, u32), feature: &str) -> Vec<&'static Terraform> {
    let (able, unable): (Vec<&Terraform>, Vec<&Terraform>) =
        terraforms().iter().partition(|tf| version(tf) >= minimum);
    for tf in &unable {
        eprintln!(
            "{feature}: not run on Terraform {} (needs {}.{} or later); ran only on {:?}",
            tf.version,
            minimum.0,
            minimum.1,
            able.iter().map(|t| &t.version).collect::<Vec<_>>()
        );
    }
    assert!(
        !able.is_empty(),
        "{feature}: no Terraform of at least {}.{} to run on",
        minimum.0,
        minimum.1
    );
    able
}
