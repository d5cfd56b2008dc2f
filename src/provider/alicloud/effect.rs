//! Whether an API action changes what the service holds, which decides what Terraform's Stop may cut short.
//! Each call site in `ram` and `sts` states it next to the action's name: the action's documented behaviour,
//! not a guess from its name.

/// What a call does to the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Only reads (or, like STS `AssumeRole`, creates nothing the state records): cut at once on Stop.
    Read,
    /// Changes RAM (a role, an attachment, a tag). Once its request may have reached the service, Stop lets it
    /// finish, bounded, so the resource learns whether it happened and records it: cutting it would leave, for
    /// example, a created role that no state knows of.
    Write,
}
