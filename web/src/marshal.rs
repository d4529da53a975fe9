//! The WIT types (`types`) to and from the JS values the transpiled
//! component takes and gives (records as objects with lowerCamelCase
//! fields, an `option` as the value or `undefined`, a `list` as an array).
//! Written out rather than derived through serde, which added 17 KB
//! (gzipped) to the page; every record is taken apart or built whole, so a
//! field added to the WIT file fails to compile here until it is handled,
//! and the browser tests compare every output with the CLI's.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::JsValue;

use crate::types::{
    AwsKeys, ChoiceSet, CommandsRequest, Defaults, FieldError, ImagesRequest, RefresherRequest,
};

/// A Rust value as the component's JS value.
pub trait ToJs {
    /// The JS value.
    fn to_js(&self) -> JsValue;
}

/// A Rust value read from the component's JS value.
pub trait FromJs: Sized {
    /// `None` when the value is not of this shape.
    fn from_js(v: &JsValue) -> Option<Self>;
}

impl ToJs for String {
    fn to_js(&self) -> JsValue {
        JsValue::from_str(self)
    }
}

impl ToJs for bool {
    fn to_js(&self) -> JsValue {
        JsValue::from_bool(*self)
    }
}

impl<T: ToJs> ToJs for Option<T> {
    fn to_js(&self) -> JsValue {
        self.as_ref().map_or(JsValue::UNDEFINED, ToJs::to_js)
    }
}

impl<T: ToJs> ToJs for Vec<T> {
    fn to_js(&self) -> JsValue {
        self.iter().map(ToJs::to_js).collect::<Array>().into()
    }
}

impl FromJs for String {
    fn from_js(v: &JsValue) -> Option<Self> {
        v.as_string()
    }
}

impl<T: FromJs> FromJs for Vec<T> {
    fn from_js(v: &JsValue) -> Option<Self> {
        if !Array::is_array(v) {
            return None;
        }
        Array::from(v).iter().map(|e| T::from_js(&e)).collect()
    }
}

/// An object with these fields.
fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in fields {
        // Setting a property on a fresh plain object cannot fail.
        let _ = Reflect::set(&o, &JsValue::from_str(k), v);
    }
    o.into()
}

/// Field `k` of object `v`, read as `T`.
fn field<T: FromJs>(v: &JsValue, k: &str) -> Option<T> {
    T::from_js(&Reflect::get(v, &JsValue::from_str(k)).ok()?)
}

impl ToJs for ImagesRequest {
    fn to_js(&self) -> JsValue {
        let ImagesRequest {
            version,
            registry,
            components,
            output,
        } = self;
        object(&[
            ("version", version.to_js()),
            ("registry", registry.to_js()),
            ("components", components.to_js()),
            ("output", output.to_js()),
        ])
    }
}

impl ToJs for AwsKeys {
    fn to_js(&self) -> JsValue {
        let AwsKeys {
            access_key_id,
            secret_access_key,
            session_token,
        } = self;
        object(&[
            ("accessKeyId", access_key_id.to_js()),
            ("secretAccessKey", secret_access_key.to_js()),
            ("sessionToken", session_token.to_js()),
        ])
    }
}

impl ToJs for RefresherRequest {
    fn to_js(&self) -> JsValue {
        let RefresherRequest {
            runner,
            namespace,
            name,
            registry,
            region,
            schedule,
            role_arn,
            aws_cli_image,
            kubectl_image,
            image,
            credentials,
            create_namespace,
            password,
            expires_at,
            output,
        } = self;
        object(&[
            ("runner", runner.to_js()),
            ("namespace", namespace.to_js()),
            ("name", name.to_js()),
            ("registry", registry.to_js()),
            ("region", region.to_js()),
            ("schedule", schedule.to_js()),
            ("roleArn", role_arn.to_js()),
            ("awsCliImage", aws_cli_image.to_js()),
            ("kubectlImage", kubectl_image.to_js()),
            ("image", image.to_js()),
            ("credentials", credentials.to_js()),
            ("createNamespace", create_namespace.to_js()),
            ("password", password.to_js()),
            ("expiresAt", expires_at.to_js()),
            ("output", output.to_js()),
        ])
    }
}

impl ToJs for CommandsRequest {
    fn to_js(&self) -> JsValue {
        let CommandsRequest {
            section,
            tool,
            version,
            registry,
            to,
            components,
            namespace,
            name,
            region,
            runner,
            role_arn,
        } = self;
        object(&[
            ("section", section.to_js()),
            ("tool", tool.to_js()),
            ("version", version.to_js()),
            ("registry", registry.to_js()),
            ("to", to.to_js()),
            ("components", components.to_js()),
            ("namespace", namespace.to_js()),
            ("name", name.to_js()),
            ("region", region.to_js()),
            ("runner", runner.to_js()),
            ("roleArn", role_arn.to_js()),
        ])
    }
}

impl FromJs for FieldError {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(FieldError {
            field: field(v, "field")?,
            message: field(v, "message")?,
        })
    }
}

impl FromJs for Defaults {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(Defaults {
            registry: field(v, "registry")?,
            namespace: field(v, "namespace")?,
            name: field(v, "name")?,
            schedule: field(v, "schedule")?,
            runner: field(v, "runner")?,
            aws_cli_image: field(v, "awsCliImage")?,
            kubectl_image: field(v, "kubectlImage")?,
            username: field(v, "username")?,
            section: field(v, "section")?,
            tool: field(v, "tool")?,
            images_output: field(v, "imagesOutput")?,
            objects_output: field(v, "objectsOutput")?,
            platform: field(v, "platform")?,
        })
    }
}

impl FromJs for ChoiceSet {
    fn from_js(v: &JsValue) -> Option<Self> {
        Some(ChoiceSet {
            defaults: Defaults::from_js(&Reflect::get(v, &JsValue::from_str("defaults")).ok()?)?,
            runner: field(v, "runner")?,
            images_output: field(v, "imagesOutput")?,
            objects_output: field(v, "objectsOutput")?,
            components: field(v, "components")?,
            mirror_components: field(v, "mirrorComponents")?,
            section: field(v, "section")?,
            tool: field(v, "tool")?,
            platform: field(v, "platform")?,
            suggestable: field(v, "suggestable")?,
        })
    }
}
