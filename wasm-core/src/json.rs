//! Requests spelt as JSON, for tests and examples only (feature
//! `json-requests`; the component never has it): an object whose `render`
//! member names the function of [`crate::api`] and whose other members are
//! its typed request's fields, named as the CLI's flags. Text answers come
//! back as a JSON string, typed answers as their fields.

use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::api;
use crate::types::{FieldError, PlatformChoice};

/// Calls the function `request["render"]` names with the rest of `request`.
pub fn call(request: &Value) -> Result<Value, Vec<FieldError>> {
    let mut fields = request.clone();
    let name = fields
        .as_object_mut()
        .and_then(|m| m.remove("render"))
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let text = |s: String| Value::String(s);
    let typed = |v: Result<Value, serde_json::Error>| v.unwrap_or(Value::Null);
    match name.as_str() {
        "images" => api::images(&parse(fields)?).map(text),
        "docker-config" => api::docker_config(&parse(fields)?).map(text),
        "pull-secret" => api::pull_secret(&parse(fields)?).map(text),
        "refresher" => api::refresher(&parse(fields)?).map(text),
        "commands" => api::commands(&parse(fields)?).map(text),
        "suggest" => api::suggest(&parse(fields)?).map(text),
        "job-from-cron-job" => api::job_from_cron_job(&parse(fields)?).map(text),
        "aws-endpoint" => api::aws_endpoint(&parse(fields)?).map(text),
        "ecr-call" => api::ecr_call(&parse(fields)?).map(|v| typed(serde_json::to_value(v))),
        "mirror-plan" => api::mirror_plan(&parse(fields)?).map(|v| typed(serde_json::to_value(v))),
        "inventory" => api::inventory(&parse(fields)?).map(|v| typed(serde_json::to_value(v))),
        "registry" => api::registry(fields["registry"].as_str().unwrap_or_default())
            .map(|v| typed(serde_json::to_value(v))),
        "choices" => Ok(typed(serde_json::to_value(api::choices()))),
        "conventions" => Ok(typed(serde_json::to_value(api::conventions()))),
        "platforms" => api::platforms(&parse(fields)?).map(|c| match c {
            PlatformChoice::All => json!({ "platforms": "all" }),
            PlatformChoice::Only(list) => json!({ "platforms": list }),
        }),
        other => Err(vec![FieldError {
            field: "request".into(),
            message: format!("`{other}` is not a function of the core"),
        }]),
    }
}

fn parse<T: DeserializeOwned>(fields: Value) -> Result<T, Vec<FieldError>> {
    serde_json::from_value(fields).map_err(|e| {
        vec![FieldError {
            field: "request".into(),
            message: format!("the request is not valid: {e}"),
        }]
    })
}
