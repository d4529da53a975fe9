//! One input of the form: a label, the control, a hint and the core's
//! messages about it. The form owns the value; a field only writes to it.

use leptos::prelude::*;

use crate::form::Key;

/// The element id of a field's control (`f-FLAG`); error lists use
/// `f-FLAG-error`. Tests and the "fix these fields" links find fields by it.
pub fn control_id(field: Key) -> String {
    format!("f-{}", field.flag())
}

/// A labelled text input or select, with its hint and error messages.
#[component]
pub fn Field(
    /// Which input this is: gives the label, hint and id.
    field: Key,
    /// The values of a select (the core's choices); `None` for a text input.
    options: Option<Vec<String>>,
    /// What a text input shows while empty.
    placeholder: String,
    /// The value, owned by the form.
    value: RwSignal<String>,
    /// The core's messages about this input, empty when it is fine.
    #[prop(into)]
    errors: Signal<Vec<String>>,
) -> impl IntoView {
    let id = control_id(field);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = format!("{hint_id} {error_id}");
    let invalid = move || !errors.read().is_empty();
    let on_input = move |ev: leptos::ev::Event| value.set(event_target_value(&ev));
    let control = match options {
        Some(options) => view! {
            <select
                id=id.clone()
                name=field.flag()
                aria-describedby=described_by
                aria-invalid=move || invalid().to_string()
                on:change=on_input
            >
                {options
                    .into_iter()
                    .map(|o| {
                        let (chosen, shown) = (o.clone(), o.clone());
                        view! { <option value=o selected=move || value.with(|v| *v == chosen)>{shown}</option> }
                    })
                    .collect_view()}
            </select>
        }
        .into_any(),
        None => view! {
            <input
                id=id.clone()
                name=field.flag()
                type="text"
                autocomplete="off"
                autocapitalize="none"
                spellcheck="false"
                placeholder=placeholder
                aria-describedby=described_by
                aria-invalid=move || invalid().to_string()
                prop:value=move || value.get()
                on:input=on_input
            />
        }
        .into_any(),
    };
    view! {
        <div class="field" class:invalid=invalid>
            <label for=id>{field.label()}</label>
            {control}
            <p class="hint" id=hint_id>{field.hint()}</p>
            <ul class="errors" id=error_id aria-live="polite">
                {move || errors.get().into_iter().map(|m| view! { <li>{m}</li> }).collect_view()}
            </ul>
        </div>
    }
}
