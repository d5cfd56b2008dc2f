//! ImportResourceState: the default refusal.

use super::*;
use pretty_assertions::assert_eq;
use terraform_provider_aliram::framework::value::Value;

#[tokio::test]
async fn import_by_default_refuses_with_a_diagnostic() {
    let (engine, _) = engine(FakeRole::default()).await;
    let got = engine
        .import_resource_state(ROLE, "analytics".into(), Value::Null)
        .await;
    assert_eq!(
        Imported::from(got),
        Imported {
            imported: vec![],
            diagnostics: Diagnostic::error(
                "Resource Import Not Implemented",
                "fake_role cannot be imported; create it with Terraform instead.",
            )
            .into(),
        }
    );
    let got = engine
        .import_resource_state(NO_SUCH_TYPE, "analytics".into(), Value::Null)
        .await;
    assert_eq!(
        Imported::from(got),
        Imported {
            imported: vec![],
            diagnostics: unknown_resource_type(),
        }
    );
}
