//! One output block: heading, what it is for, the equivalent CLI command,
//! the rendered text with copy and download buttons, or why there is none.

use leptos::prelude::*;

use crate::browser;
use crate::field::control_id;
use crate::form::Key;
use crate::outputs::Output;
use crate::types::FieldError;

/// What an output block shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Shown {
    /// The rendered text.
    Text(String),
    /// Nothing yet, and why (an input the block needs is empty).
    Waiting(&'static str),
    /// The core refused the inputs.
    Invalid(Vec<FieldError>),
}

impl Shown {
    fn text(&self) -> Option<&str> {
        match self {
            Shown::Text(t) => Some(t),
            _ => None,
        }
    }
}

/// The block's text area id (`out-ID-text`): what a test reads.
fn text_id(output: Output) -> String {
    format!("out-{}-text", output.id())
}

/// An output with its copy and download buttons.
#[component]
pub fn OutputBlock(
    /// Which output this block shows.
    output: Output,
    /// What the core rendered for it.
    #[prop(into)]
    shown: Signal<Shown>,
    /// The words of the CLI command that prints the same.
    #[prop(into)]
    cli: Signal<Vec<String>>,
) -> impl IntoView {
    let status = RwSignal::new(String::new());
    let heading_id = format!("out-{}-heading", output.id());
    let has_text = move || shown.read().text().is_some();
    let copy = move |_| {
        let Some(text) = shown.read_untracked().text().map(str::to_owned) else {
            return;
        };
        leptos::task::spawn_local(async move {
            status.set(match browser::copy(&text).await {
                Ok(()) => "Copied to the clipboard.".into(),
                Err(e) => format!("Could not copy ({e}); select the text instead."),
            });
        });
    };
    let download = move |_| {
        let Some(text) = shown.read_untracked().text().map(str::to_owned) else {
            return;
        };
        status.set(
            match browser::download(output.file_name(), output.mime(), &text) {
                Ok(()) => format!("Downloaded {}.", output.file_name()),
                Err(_) => "Could not start the download; copy the text instead.".into(),
            },
        );
    };
    // A new text makes an old "Copied" wrong.
    Effect::new(move |_| {
        shown.track();
        status.set(String::new());
    });
    view! {
        <section class="output" id=format!("out-{}", output.id()) aria-labelledby=heading_id>
            <div class="output-head">
                <h2 id=heading_id.clone()>{output.title()}</h2>
                <div class="actions">
                    <button type="button" on:click=copy disabled=move || !has_text()>
                        "Copy"
                    </button>
                    <button type="button" on:click=download disabled=move || !has_text()>
                        "Download"
                    </button>
                </div>
            </div>
            <p class="desc">{output.description()}</p>
            <p class="cli">
                "Same as "
                <code>
                    {move || {
                        cli.get()
                            .into_iter()
                            .map(|word| view! { <span class="word">{word}</span> " " })
                            .collect_view()
                    }}
                </code>
            </p>
            {move || body(output, &shown.read())}
            <p class="status" role="status">{status}</p>
        </section>
    }
}

/// The block's body for what is shown.
fn body(output: Output, shown: &Shown) -> AnyView {
    match shown {
        Shown::Text(t) => view! {
            <pre id=text_id(output) tabindex="0" aria-label=output.title()>
                <code>{t.clone()}</code>
            </pre>
        }
        .into_any(),
        Shown::Waiting(why) => view! { <p class="waiting">{*why}</p> }.into_any(),
        Shown::Invalid(errors) => view! {
            <div class="invalid-note">
                <p>"Not rendered: fix these inputs first."</p>
                <ul>{errors.iter().map(problem).collect_view()}</ul>
            </div>
        }
        .into_any(),
    }
}

/// One problem, linked to its field when it has one on the form.
fn problem(e: &FieldError) -> AnyView {
    match Key::from_flag(&e.field) {
        Some(k) => view! {
            <li>
                <a href=format!("#{}", control_id(k))>{k.label()}</a>
                ": "
                {e.message.clone()}
            </li>
        }
        .into_any(),
        None => view! { <li>{format!("{}: {}", e.field, e.message)}</li> }.into_any(),
    }
}
