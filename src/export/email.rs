//! The submission e-mail as an `.eml` file (mail-builder): To the regulator, From the
//! commissioner, a plain-text body and the bundle's files attached (base64): the
//! workbook, its JSON twin and the manifest, so the regulator can check them. Marked
//! `X-Unsent: 1` so mail clients open it as a draft ready to send. Every header value
//! is checked or cleaned here, so no name or address can add a header; the date,
//! message id and MIME boundary are derived from the submission, so the same
//! submission gives the same file.

use mail_builder::MessageBuilder;
use mail_builder::encoders::base64::base64_encode;
use mail_builder::headers::content_type::ContentType;
use mail_builder::headers::raw::Raw;
use mail_builder::mime::MimePart;

use crate::error::{Error, Result};
use crate::model::settings::check_address;
use crate::text::one_line;

/// The workbook's MIME type.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The JSON files' MIME type.
pub const JSON_MIME: &str = "application/json";

/// A file attached to the e-mail.
pub struct Attachment<'a> {
    pub name: &'a str,
    pub mime: &'static str,
    pub bytes: &'a [u8],
}

/// The e-mail to write.
pub struct Email<'a> {
    pub from_name: &'a str,
    pub from_address: &'a str,
    pub to_address: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Seconds since 1970, UTC.
    pub date: i64,
    /// A token unique to this submission, for the message id: `QKK.2026-11-23.1a2b3c`.
    pub id_token: &'a str,
    /// In the order they are attached.
    pub attachments: &'a [Attachment<'a>],
}

/// The e-mail as `.eml` bytes (CRLF line ends).
pub fn to_eml(email: &Email<'_>) -> Result<Vec<u8>> {
    for address in [email.from_address, email.to_address] {
        check_address(address)
            .map_err(|message| Error::export(message, "correct the address in crs.toml"))?;
    }
    let domain = email.from_address.rsplit_once('@').map_or("crs.invalid", |(_, d)| d);
    let token: String = email
        .id_token
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    let message_id = format!("crs-submission.{token}@{domain}");

    let mut parts = vec![MimePart::new("text/plain", email.body)];
    for file in email.attachments {
        parts.push(MimePart::new(file.mime, file.bytes).attachment(one_line(file.name)));
    }
    let boundary = boundary(email.body, email.attachments);
    let body = MimePart::new(ContentType::new("multipart/mixed").attribute("boundary", boundary), parts);
    MessageBuilder::new()
        .header("From", Raw::new(mailbox(&one_line(email.from_name), email.from_address)))
        .to(email.to_address)
        .subject(one_line(email.subject))
        .date(email.date)
        .message_id(message_id)
        .header("X-Unsent", Raw::new("1"))
        .body(body)
        .write_to_vec()
        .map_err(|e| {
            Error::export(
                format!("could not write the e-mail: {e}"),
                "this is a bug in crs; please report it",
            )
        })
}

/// The `From` mailbox: `name <address>`, the name as plain words when it is short
/// printable ASCII with no special characters, otherwise as RFC 2047 encoded words
/// (base64, at most 75 characters each, never inside a quoted string) separated by
/// spaces, where the header may fold, so no line passes 998 characters however long
/// the name.
fn mailbox(name: &str, address: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || " !#$%&'*+-/=?^_`{|}~".contains(c);
    if name.is_empty() {
        return format!("<{address}>");
    }
    if name.chars().all(plain) && name.len() <= 60 && !name.contains("=?") {
        return format!("{name} <{address}>");
    }
    format!("{} <{address}>", encoded_words(name).join(" "))
}

/// `text` as base64 encoded words of at most 45 bytes of UTF-8 each (60 base64
/// characters, 72 with the markers). Words are split at spaces, each space left out
/// of the words and written between them: RFC 2047 ignores the space between two
/// encoded words but some readers (Python's `email`) keep it, and split this way
/// both read the same name. A run of 45 bytes with no space is split between
/// characters.
fn encoded_words(text: &str) -> Vec<String> {
    const MAX: usize = 45;
    let mut chunks: Vec<String> = Vec::new();
    let mut chunk = String::new();
    for (i, token) in text.split(' ').enumerate() {
        if i > 0 && chunk.len() + 1 + token.len() > MAX && !chunk.is_empty() {
            chunks.push(std::mem::take(&mut chunk));
        } else if i > 0 {
            chunk.push(' ');
        }
        for c in token.chars() {
            if chunk.len() + c.len_utf8() > MAX {
                chunks.push(std::mem::take(&mut chunk));
            }
            chunk.push(c);
        }
    }
    if !chunk.is_empty() {
        chunks.push(chunk);
    }
    chunks.iter().map(|c| encoded_word(c)).collect()
}

fn encoded_word(text: &str) -> String {
    let encoded = base64_encode(text.as_bytes()).unwrap_or_default();
    format!("=?utf-8?B?{}?=", String::from_utf8_lossy(&encoded))
}

/// A MIME boundary derived from the content (so the file is reproducible) that does
/// not occur in the body text. Base64 never contains `=_`, so the attachments cannot.
fn boundary(body: &str, attachments: &[Attachment<'_>]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let attached = attachments.iter().flat_map(|a| a.name.as_bytes().iter().chain(a.bytes));
    for byte in body.as_bytes().iter().chain(attached) {
        hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
    }
    not_in(body, &format!("=_crs_{hash:016x}"))
}

/// `base`, or `base` with a counter, whichever first does not occur in `body`.
fn not_in(body: &str, base: &str) -> String {
    let mut candidate = base.to_owned();
    let mut n = 0;
    while body.contains(&candidate) {
        n += 1;
        candidate = format!("{base}_{n}");
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email<'a>(from_name: &'a str, subject: &'a str) -> Email<'a> {
        Email {
            from_name,
            from_address: "crs@icb.example",
            to_address: "nhsi.crs@nhs.net",
            subject,
            body: "Hello\n",
            date: 1_795_435_200,
            id_token: "QKK.2026-11-23",
            attachments: &[Attachment { name: "crs.xlsx", mime: XLSX_MIME, bytes: b"PK\x03\x04 not really" }],
        }
    }

    #[test]
    fn addresses_must_be_plain() {
        assert!(check_address("crs@selondon.icb.example").is_ok());
        assert!(check_address("first.last+crs@nhs.net").is_ok());
        for bad in [
            "",
            "crs",
            "crs@",
            "@nhs.net",
            "a b@nhs.net",
            "crs@nhs",
            "crs@nhs.net\r\nBcc: x@y.z",
            "<crs@nhs.net>",
            "crs@nhs..net",
            "crs@ñhs.net",
        ] {
            assert!(check_address(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn names_and_subjects_cannot_add_headers() {
        let eml = to_eml(&email("Evil\r\nBcc: victim@example.com", "Hi\r\nBcc: victim@example.com")).unwrap();
        let text = String::from_utf8(eml).unwrap();
        assert!(!text.contains("\r\nBcc:"), "{text}");
        assert!(!text.contains("\nBcc:"), "{text}");
    }

    #[test]
    fn the_same_email_gives_the_same_bytes() {
        let a = to_eml(&email("ICB", "Subject")).unwrap();
        let b = to_eml(&email("ICB", "Subject")).unwrap();
        assert_eq!(a, b);
        let text = String::from_utf8(a).unwrap();
        assert!(text.contains("X-Unsent: 1\r\n"), "{text}");
        assert!(text.contains("Message-ID: <crs-submission.QKK.2026-11-23@icb.example>"), "{text}");
    }

    #[test]
    fn a_long_or_accented_name_is_encoded_words_on_short_lines() {
        assert_eq!(
            mailbox("NHS South East London ICB", "a@b.example"),
            "NHS South East London ICB <a@b.example>"
        );
        let long = "NHS Sóuth East London ICB, \"Cymru\" ".repeat(80);
        let eml = String::from_utf8(to_eml(&email(&long, &long)).unwrap()).unwrap();
        let head = eml.split("\r\n\r\n").next().unwrap();
        assert!(head.lines().all(|l| l.len() <= 998), "{head}");
        let from = head.split("\r\nTo:").next().unwrap();
        assert!(from.starts_with("From: =?utf-8?B?") && !from.contains('"'), "{from}");
        assert!(encoded_words(&long).iter().all(|w| w.len() <= 75));
    }

    #[test]
    fn a_body_holding_the_boundary_gets_another() {
        assert_eq!(not_in("text", "=_b"), "=_b");
        assert_eq!(not_in("text =_b and =_b_1", "=_b"), "=_b_2");
    }
}
