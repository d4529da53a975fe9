//! The page: the form on one side, the outputs on the other. The App owns
//! every input as a signal; each output is a memo of one core request, and
//! the field errors are gathered from all of them. The address bar follows
//! the inputs so the page can be shared as a link.

use leptos::prelude::*;

use crate::block::{OutputBlock, Shown};
use crate::field::Field;
use crate::form::{Inputs, Key};
use crate::outputs::Output;
use crate::types::{ChoiceSet, FieldError};
use crate::{browser, core};

/// The form's values, one signal per input.
#[derive(Clone, Copy)]
struct Form([RwSignal<String>; Key::ALL.len()]);

impl Form {
    fn new(initial: &Inputs) -> Self {
        Form(Key::ALL.map(|k| RwSignal::new(initial.get(k).to_owned())))
    }

    fn signal(self, key: Key) -> RwSignal<String> {
        self.0[key.index()]
    }

    /// Every value, tracked: a memo of it reruns when any input changes.
    fn snapshot(self) -> Inputs {
        Inputs::from_fn(|k| self.signal(k).get())
    }
}

/// What one output shows for `inputs`, asking the core when it can.
fn shown(output: Output, inputs: &Inputs) -> Shown {
    match output.request(inputs) {
        Err(why) => Shown::Waiting(why),
        Ok(request) => match core::render(&request) {
            Ok(text) => Shown::Text(text),
            Err(errors) => Shown::Invalid(errors),
        },
    }
}

/// The messages about `field` across every output, each once.
fn messages_for(all: &[Shown], field: Key) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let errors = all.iter().flat_map(|s| match s {
        Shown::Invalid(e) => e.as_slice(),
        _ => &[],
    });
    for FieldError { field: f, message } in errors {
        if f == field.flag() && !out.contains(message) {
            out.push(message.clone());
        }
    }
    out
}

/// The fields of the form, in groups.
const GROUPS: [(&str, &[Key]); 4] = [
    ("UEPE images", &[Key::Version, Key::Registry, Key::Region]),
    ("Mirroring (optional)", &[Key::To, Key::Tool]),
    ("In the cluster", &[Key::Namespace, Key::Name]),
    (
        "Refresher",
        &[Key::Runner, Key::Image, Key::Schedule, Key::RoleArn],
    ),
];

/// The whole page.
#[component]
pub fn App(
    /// The inputs to start from (the defaults, overridden by the URL).
    initial: Inputs,
    /// The core component's sha256, as written into `index.html` by the build.
    sha256: String,
    /// The core's own version.
    core_version: String,
    /// The core's defaults and choices of every input.
    choices: ChoiceSet,
) -> impl IntoView {
    let choices = StoredValue::new(choices);
    let form = Form::new(&initial);
    let inputs = Memo::new(move |_| form.snapshot());
    let shown_all = Memo::new(move |_| {
        let i = inputs.read();
        Output::ALL.map(|o| shown(o, &i))
    });
    Effect::new(move |_| {
        let query = choices.with_value(|c| inputs.read().to_query(&c.defaults));
        browser::replace_query(&query);
    });

    let field = move |k: Key| {
        // Memos: a block or list is redrawn only when its own content changes.
        let errors = Memo::new(move |_| messages_for(&shown_all.read()[..], k));
        let value = form.signal(k);
        let (options, placeholder) = choices.with_value(|c| {
            (
                crate::form::choices(k, c).map(<[String]>::to_vec),
                k.placeholder(&c.defaults).to_owned(),
            )
        });
        if k == Key::Image {
            // Only the plugin runner has an image of its own.
            let plugin = move || form.signal(Key::Runner).with(|r| r == "plugin");
            view! {
                <Show when=plugin>
                    <Field field=k value=value errors=errors options=options.clone() placeholder=placeholder.clone() />
                </Show>
            }
            .into_any()
        } else {
            view! { <Field field=k value=value errors=errors options=options placeholder=placeholder /> }
                .into_any()
        }
    };
    let groups = GROUPS
        .iter()
        .map(|&(legend, keys)| {
            view! {
                <fieldset>
                    <legend>{legend}</legend>
                    {keys.iter().map(|&k| field(k)).collect_view()}
                </fieldset>
            }
        })
        .collect_view();
    let blocks = Output::ALL
        .into_iter()
        .enumerate()
        .map(|(n, o)| {
            let shown = Memo::new(move |_| shown_all.read()[n].clone());
            let cli =
                Memo::new(move |_| choices.with_value(|c| o.cli(&inputs.read(), &c.defaults)));
            view! { <OutputBlock output=o shown=shown cli=cli /> }
        })
        .collect_view();

    view! {
        <header class="top">
            <h1>"UEPE images, pull secret and refresher"</h1>
            <p>
                "The commands and YAML that " <code>"kubectl uepe"</code>
                " would run, for a machine where it cannot be installed. Everything is computed in this page: nothing you type leaves your browser, and it never asks for a password or key."
            </p>
        </header>
        <div class="layout">
            <form class="inputs" aria-label="Inputs" on:submit=|ev| ev.prevent_default()>
                {groups}
            </form>
            <div class="outputs">{blocks}</div>
        </div>
        <footer>
            <p>
                "Core component " {core_version} ", sha256 " <code id="core-sha256">{sha256}</code>
                ". " <code>"kubectl uepe version"</code>
                " prints the same number when it runs the same logic. "
                <a href="core/uepe_core.wasm" download="uepe_core.wasm">"Download the component"</a>
                " to check it yourself."
            </p>
        </footer>
    }
}
