//! Just enough JSON for the UI to talk to the core: writing a request (an
//! object of strings, string lists and nulls) and reading the core's error
//! answer. The UI does without serde_json because every kilobyte of wasm is
//! downloaded by every visitor; the core, which does all the real work,
//! has serde_json.

use std::fmt::Write;

/// A JSON value a request can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `null`: the input is absent.
    Null,
    /// A string.
    Str(String),
    /// A list of strings.
    List(Vec<String>),
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Str(s.to_owned())
    }
}

/// Writes `s` as a JSON string literal.
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A JSON object with `members` in order.
pub fn object(members: &[(&str, Value)]) -> String {
    let mut out = String::from("{");
    for (n, (key, value)) in members.iter().enumerate() {
        if n > 0 {
            out.push(',');
        }
        write_str(&mut out, key);
        out.push(':');
        match value {
            Value::Null => out.push_str("null"),
            Value::Str(s) => write_str(&mut out, s),
            Value::List(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_str(&mut out, item);
                }
                out.push(']');
            }
        }
    }
    out.push('}');
    out
}

/// A parsed JSON value, as far as the UI needs to look into one.
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// A string.
    Str(String),
    /// An array.
    Arr(Vec<Parsed>),
    /// An object, members in order.
    Obj(Vec<(String, Parsed)>),
    /// A number, `true`, `false` or `null`, kept as written.
    Other(String),
}

impl Parsed {
    /// The member `key` of an object.
    pub fn get(&self, key: &str) -> Option<&Parsed> {
        match self {
            Parsed::Obj(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Parsed::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// Parses a whole JSON text; `None` when it is not valid JSON.
pub fn parse(text: &str) -> Option<Parsed> {
    let mut p = Parser {
        bytes: text.as_bytes(),
        text,
        at: 0,
    };
    let v = p.value(0)?;
    p.blanks();
    (p.at == text.len()).then_some(v)
}

/// How deep arrays and objects may nest: the core's answers are shallow.
const MAX_DEPTH: usize = 32;

struct Parser<'a> {
    bytes: &'a [u8],
    text: &'a str,
    at: usize,
}

impl Parser<'_> {
    fn blanks(&mut self) {
        while matches!(self.bytes.get(self.at), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.at += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.blanks();
        let hit = self.bytes.get(self.at) == Some(&b);
        if hit {
            self.at += 1;
        }
        hit
    }

    fn value(&mut self, depth: usize) -> Option<Parsed> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.blanks();
        match self.bytes.get(self.at)? {
            b'"' => self.string().map(Parsed::Str),
            b'[' => {
                self.at += 1;
                let mut items = Vec::new();
                if !self.eat(b']') {
                    loop {
                        items.push(self.value(depth + 1)?);
                        if self.eat(b']') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Parsed::Arr(items))
            }
            b'{' => {
                self.at += 1;
                let mut members = Vec::new();
                if !self.eat(b'}') {
                    loop {
                        self.blanks();
                        let key = self.string()?;
                        if !self.eat(b':') {
                            return None;
                        }
                        members.push((key, self.value(depth + 1)?));
                        if self.eat(b'}') {
                            break;
                        }
                        if !self.eat(b',') {
                            return None;
                        }
                    }
                }
                Some(Parsed::Obj(members))
            }
            _ => {
                let start = self.at;
                while self
                    .bytes
                    .get(self.at)
                    .is_some_and(|b| b.is_ascii_alphanumeric() || b"+-.".contains(b))
                {
                    self.at += 1;
                }
                let token = &self.text[start..self.at];
                // Numbers are checked by their characters only: the UI never
                // reads one, and float parsing would cost wasm size.
                let number = token.starts_with(|c: char| c == '-' || c.is_ascii_digit())
                    && token
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b));
                let literal = matches!(token, "true" | "false" | "null") || number;
                literal.then(|| Parsed::Other(token.to_owned()))
            }
        }
    }

    /// A string literal starting at `"`.
    fn string(&mut self) -> Option<String> {
        if self.bytes.get(self.at) != Some(&b'"') {
            return None;
        }
        self.at += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.at..];
            let stop = rest.find(['"', '\\'])?;
            if rest[..stop].chars().any(|c| u32::from(c) < 0x20) {
                return None;
            }
            out.push_str(&rest[..stop]);
            self.at += stop;
            if self.bytes[self.at] == b'"' {
                self.at += 1;
                return Some(out);
            }
            self.at += 1;
            let esc = *self.bytes.get(self.at)?;
            self.at += 1;
            match esc {
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'b' => out.push('\u{8}'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hi = self.hex4()?;
                    let c = if (0xD800..0xDC00).contains(&hi) {
                        // A surrogate pair: `\uD83D\uDE00`.
                        if self.bytes.get(self.at..self.at + 2) != Some(b"\\u") {
                            return None;
                        }
                        self.at += 2;
                        let lo = self.hex4()?;
                        if !(0xDC00..0xE000).contains(&lo) {
                            return None;
                        }
                        char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00))?
                    } else {
                        char::from_u32(hi)?
                    };
                    out.push(c);
                }
                _ => return None,
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.get(self.at..self.at + 4)?;
        self.at += 4;
        u32::from_str_radix(digits, 16).ok()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_written_as_json() {
        let text = object(&[
            ("render", "commands".into()),
            ("namespace", Value::List(vec!["a,b".into()])),
            ("to", Value::Null),
            ("name", "q\"\\\n\u{1}é".into()),
        ]);
        assert_eq!(
            text,
            r#"{"render":"commands","namespace":["a,b"],"to":null,"name":"q\"\\\n\u0001é"}"#
        );
        // And read back the same.
        let v = parse(&text).unwrap();
        assert_eq!(
            v.get("name").and_then(Parsed::as_str),
            Some("q\"\\\n\u{1}é")
        );
        assert_eq!(v.get("to"), Some(&Parsed::Other("null".into())));
    }

    #[test]
    fn the_cores_errors_parse() {
        let v = parse(
            r#" {"errors": [ {"field":"role-arn","message":"`x` is not \u00e9 \ud83d\ude00 ok"} ] } "#,
        )
        .unwrap();
        let Some(Parsed::Arr(errors)) = v.get("errors") else {
            panic!("no errors array in {v:?}")
        };
        assert_eq!(
            errors[0].get("field").and_then(Parsed::as_str),
            Some("role-arn")
        );
        assert_eq!(
            errors[0].get("message").and_then(Parsed::as_str),
            Some("`x` is not é 😀 ok")
        );
    }

    #[test]
    fn broken_json_is_refused() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "\"open",
            "tru",
            "{} x",
            "\"\\ud83d\"",
            "\"a\nb\"",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
        assert!(parse(&"[".repeat(100)).is_none());
        assert_eq!(
            parse("[1.5e3,-2,true]").map(|v| matches!(v, Parsed::Arr(_))),
            Some(true)
        );
    }
}
