//! Rules that the recorder applies when it captures and that `validate()`
//! checks again when a recording arrives. Keeping them in one place is the
//! point: the content script cannot decide "this field is not sensitive"
//! by a rule the relay does not also enforce.

use crate::model::{Modifiers, RedactionReason, Target};

/// Size limits for one recording. Generous for real use, small enough that a
/// forged recording cannot smuggle megabytes into a skill through one field.
pub mod limits {
    /// A recording's name, in bytes.
    pub const NAME: usize = 200;
    /// URLs (event, tab, navigation), in bytes.
    pub const URL: usize = 8 * 1024;
    /// A captured field value or contenteditable text, in bytes.
    pub const VALUE: usize = 64 * 1024;
    /// Short descriptive strings: visible text, accessible name, label,
    /// placeholder, title, role, tag, attribute values, key names.
    pub const SHORT: usize = 1024;
    /// CSS selectors and XPaths, in bytes.
    pub const SELECTOR: usize = 4 * 1024;
    /// The user agent string.
    pub const USER_AGENT: usize = 1024;
    /// The recorder version string.
    pub const VERSION: usize = 64;
    /// Nesting depth of frames and of shadow roots.
    pub const DEPTH: usize = 32;
    /// Selected options of one `<select multiple>`.
    pub const OPTIONS: usize = 1024;
    /// Tabs in one recording.
    pub const TABS: usize = 1024;
    /// Events in one recording.
    pub const EVENTS: usize = 1_000_000;
    /// Coordinates (px) beyond which a position is considered garbage.
    pub const COORD: f64 = 1.0e7;
}

/// What [`redaction_reason`] looks at: the facts about one element that a
/// [`Target`] carries, so that `validate()` decides from the recording
/// exactly what the recorder decided from the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FieldFacts<'a> {
    /// The tag name (any case).
    pub tag: &'a str,
    /// The `type` attribute (any case).
    pub input_type: Option<&'a str>,
    /// The `autocomplete` attribute (any case).
    pub autocomplete: Option<&'a str>,
    /// The field was `type=password` at some point while recorded (a
    /// show-password toggle changed its type), or it took the place of
    /// such a field (a toggle that swaps the element).
    pub was_password: bool,
    /// Its computed `-webkit-text-security` was not `none`: the page draws
    /// it as dots, like a password.
    pub masked: bool,
    /// The `name` attribute.
    pub name: Option<&'a str>,
    /// The `id` attribute.
    pub id: Option<&'a str>,
    /// Its label (`aria-label`, `aria-labelledby` or `<label>` text).
    pub label: Option<&'a str>,
    /// The `placeholder` attribute.
    pub placeholder: Option<&'a str>,
}

/// Whether a field's value must never be captured, and why.
///
/// In this order, the first rule that applies decides:
///
/// 1. `was_password` (reason `Password`);
/// 2. an `input` of `type=password` (`Password`) or `type=hidden` (`Hidden`);
/// 3. an `autocomplete` token `one-time-code`, `cc-*`, `current-password`
///    or `new-password`;
/// 4. for a field that takes typed or chosen text ([`takes_text`]): a word
///    of its `autocomplete`, `name`, `id`, label or placeholder that names
///    a secret in one of the languages users meet ([`secret_word`]);
/// 5. `masked`, on any element (`Masked`).
///
/// Words count, not substrings: `cardNumber`, `cc_num`, `user-pin` and
/// `Mot de passe` are secrets, `spinner`, `shipping`, `opinion`,
/// `pinterest` and `discard` are not.
pub fn redaction_reason(f: &FieldFacts<'_>) -> Option<RedactionReason> {
    if f.was_password {
        return Some(RedactionReason::Password);
    }
    if f.tag.eq_ignore_ascii_case("input") {
        match f.input_type.map(str::trim) {
            Some(t) if t.eq_ignore_ascii_case("password") => {
                return Some(RedactionReason::Password);
            }
            Some(t) if t.eq_ignore_ascii_case("hidden") => return Some(RedactionReason::Hidden),
            _ => {}
        }
    }
    // `autocomplete` is a space-separated token list such as
    // "section-pay billing cc-number"; any sensitive token decides.
    if let Some(ac) = f.autocomplete {
        for token in ac.split_ascii_whitespace() {
            let token = token.to_ascii_lowercase();
            if token == "one-time-code" {
                return Some(RedactionReason::OneTimeCode);
            }
            if token.starts_with("cc-") {
                return Some(RedactionReason::CardData);
            }
            if token == "current-password" || token == "new-password" {
                return Some(RedactionReason::Password);
            }
        }
    }
    // A button or a link may well say "Forgot password?": its text is how
    // a replay finds it, and it has no value to hide. Only fields are
    // judged by their words.
    if takes_text(f.tag, f.input_type) {
        let described = [f.autocomplete, f.name, f.id, f.label, f.placeholder];
        if let Some(reason) = described.into_iter().flatten().find_map(secret_words) {
            return Some(reason);
        }
    }
    if f.masked {
        return Some(RedactionReason::Masked);
    }
    None
}

/// Whether an element with this tag and `type` holds text the user typed
/// or chose: `textarea`, `select` and every `input` but buttons, boxes,
/// file pickers, sliders and colour wells.
pub fn takes_text(tag: &str, input_type: Option<&str>) -> bool {
    if tag.eq_ignore_ascii_case("textarea") || tag.eq_ignore_ascii_case("select") {
        return true;
    }
    if !tag.eq_ignore_ascii_case("input") {
        return false;
    }
    let t = input_type.map(str::trim).unwrap_or("text");
    ![
        "button", "submit", "reset", "image", "checkbox", "radio", "file", "range", "color",
    ]
    .iter()
    .any(|b| t.eq_ignore_ascii_case(b))
}

/// Words (after [`words`]: lower case, no diacritics, separators dropped)
/// that name a password, a PIN or another secret a user types.
// One line per language: rustfmt would put each word on a line of its own.
#[rustfmt::skip]
pub const PASSWORD_WORDS: &[&str] = &[
    // English
    "password", "passwd", "pwd", "pass", "passphrase", "passcode", "pin", "pincode",
    "pinnumber", "pinno", "secret", "secretkey", "secretcode",
    // German
    "passwort", "kennwort", "geheimzahl", "geheimnummer",
    // French
    "motdepasse", "mdp", "codesecret", "codeconfidentiel",
    // Spanish
    "contrasena", "clavesecreta", "clavedeacceso",
    // Portuguese
    "senha", "palavrapasse",
    // Italian
    "paroladordine", "codicesegreto",
    // Dutch
    "wachtwoord",
    // Polish
    "haslo", "hasla", "haslem",
    // Swedish, Norwegian, Danish, Finnish
    "losenord", "passord", "adgangskode", "kodeord", "salasana", "tunnusluku",
    // Turkish
    "sifre",
    // Russian, Ukrainian
    "пароль", "пароля", "паролем", "пин", "пинкод", "секретныйкод",
];

/// Words that name a one-time code (SMS, authenticator app, TAN).
// One line per language: rustfmt would put each word on a line of its own.
#[rustfmt::skip]
pub const ONE_TIME_CODE_WORDS: &[&str] = &[
    // English
    "otp", "totp", "hotp", "onetimecode", "onetimepassword", "onetimepin", "onetimepasscode",
    "verificationcode", "authcode", "authenticationcode", "2facode", "mfacode",
    "twofactorcode", "smscode",
    // German (TAN: the banks' transaction number)
    "tan", "mtan", "smstan", "einmalpasswort", "einmalcode", "bestatigungscode",
    // French
    "codedeverification", "codeausageunique",
    // Spanish, Portuguese
    "codigodeverificacion", "codigodeverificacao", "codigodeconfirmacao",
    // Italian
    "codicediverifica",
    // Dutch
    "verificatiecode", "eenmaligecode",
    // Polish
    "kodweryfikacyjny", "kodjednorazowy", "kodsms",
    // Swedish, Norwegian, Danish, Finnish
    "engangskod", "verifieringskod", "engangskode", "vahvistuskoodi",
    // Russian
    "кодподтверждения", "одноразовыйкод",
];

/// Words that name payment card data.
// One line per language: rustfmt would put each word on a line of its own.
#[rustfmt::skip]
pub const CARD_WORDS: &[&str] = &[
    // English
    "cardnumber", "cardno", "cardnum", "cardnr", "creditcard", "creditcardnumber", "debitcard",
    "ccnumber", "ccnum", "ccno", "ccnr", "ccname", "ccexp", "cccsc", "cccvv", "cvv", "cvc",
    "cvn", "csc", "cardcode", "securitycode", "cardsecuritycode", "cardverificationcode",
    "cardverificationvalue", "cardholder", "cardholdername", "nameoncard", "cardexpiry",
    "cardexpiration",
    // German
    "kartennummer", "kreditkarte", "kreditkartennummer", "karteninhaber", "prufnummer",
    "pruefnummer", "kartenprufnummer", "kartenpruefnummer", "sicherheitscode",
    // French
    "numerodecarte", "numerocarte", "cartebancaire", "cartedecredit", "cryptogramme",
    "codedesecurite",
    // Spanish
    "numerodetarjeta", "numerotarjeta", "tarjetadecredito", "tarjetadedebito",
    "codigodeseguridad",
    // Portuguese
    "numerodocartao", "numerocartao", "cartaodecredito", "cartaodedebito",
    "codigodeseguranca",
    // Italian
    "numerodellacarta", "numerocarta", "numerodicarta", "cartadicredito", "codicedisicurezza",
    // Dutch
    "kaartnummer", "creditcardnummer", "beveiligingscode", "pasnummer",
    // Polish
    "numerkarty", "kartakredytowa", "kodbezpieczenstwa",
    // Swedish, Norwegian, Danish, Finnish
    "kortnummer", "sakerhetskod", "kreditkort", "sikkerhetskode", "kredittkort",
    "sikkerhedskode", "kortinnumero", "korttinumero", "turvakoodi", "luottokortti",
    // Russian
    "номеркарты", "номеркредитнойкарты", "кодбезопасности",
];

/// Words that name a bank account number.
// One line per language: rustfmt would put each word on a line of its own.
#[rustfmt::skip]
pub const BANK_ACCOUNT_WORDS: &[&str] = &[
    // English
    "iban", "bankaccount", "bankaccountnumber",
    // German, Swedish
    "kontonummer", "kontonr",
    // French, Portuguese
    "rib", "nib",
    // Spanish, Portuguese
    "cuentabancaria", "contabancaria",
    // Dutch
    "rekeningnummer", "bankrekening", "bankrekeningnummer",
    // Polish
    "numerkonta", "numerrachunku",
    // Swedish, Norwegian, Danish, Finnish
    "bankkonto", "tilinumero",
    // Russian
    "номерсчета",
];

/// Chinese, Japanese and Korean write words without spaces between them
/// (Korean adds particles to the word), so these are looked for inside the
/// text rather than matched as whole words.
pub const CJK_WORDS: &[(&str, RedactionReason)] = &[
    ("密码", RedactionReason::Password),
    ("密碼", RedactionReason::Password),
    ("口令", RedactionReason::Password),
    ("パスワード", RedactionReason::Password),
    ("暗証番号", RedactionReason::Password),
    ("비밀번호", RedactionReason::Password),
    ("패스워드", RedactionReason::Password),
    ("암호", RedactionReason::Password),
    ("验证码", RedactionReason::OneTimeCode),
    ("驗證碼", RedactionReason::OneTimeCode),
    ("动态码", RedactionReason::OneTimeCode),
    ("動態碼", RedactionReason::OneTimeCode),
    ("ワンタイム", RedactionReason::OneTimeCode),
    ("認証コード", RedactionReason::OneTimeCode),
    ("確認コード", RedactionReason::OneTimeCode),
    ("인증번호", RedactionReason::OneTimeCode),
    ("인증코드", RedactionReason::OneTimeCode),
    ("卡号", RedactionReason::CardData),
    ("卡號", RedactionReason::CardData),
    ("信用卡", RedactionReason::CardData),
    ("银行卡", RedactionReason::CardData),
    ("銀行卡", RedactionReason::CardData),
    ("安全码", RedactionReason::CardData),
    ("安全碼", RedactionReason::CardData),
    ("カード番号", RedactionReason::CardData),
    ("セキュリティコード", RedactionReason::CardData),
    ("クレジットカード", RedactionReason::CardData),
    ("카드번호", RedactionReason::CardData),
    ("보안코드", RedactionReason::CardData),
    ("신용카드", RedactionReason::CardData),
    ("银行账号", RedactionReason::BankAccount),
    ("銀行帳號", RedactionReason::BankAccount),
    ("口座番号", RedactionReason::BankAccount),
    ("계좌번호", RedactionReason::BankAccount),
];

/// How many words of one attribute are looked at, and how many neighbours
/// are joined into one word ("numéro de carte" -> `numerodecarte`): labels
/// are short, and the work per field stays small.
const MAX_WORDS: usize = 48;
const MAX_JOINED: usize = 4;

/// The secret that `text` (an attribute or a label) names, if any.
///
/// Every run of up to four neighbouring words is joined and looked up, so
/// `card number`, `card-number`, `cardNumber` and `cardnumber` all say
/// `cardnumber`, and a word is never found inside another one.
pub fn secret_words(text: &str) -> Option<RedactionReason> {
    let words = words(text);
    let lists = [
        (PASSWORD_WORDS, RedactionReason::Password),
        (ONE_TIME_CODE_WORDS, RedactionReason::OneTimeCode),
        (CARD_WORDS, RedactionReason::CardData),
        (BANK_ACCOUNT_WORDS, RedactionReason::BankAccount),
    ];
    let mut joined = String::new();
    for start in 0..words.len() {
        joined.clear();
        for word in words[start..].iter().take(MAX_JOINED) {
            joined.push_str(word);
            if let Some((_, reason)) = lists.iter().find(|(l, _)| l.contains(&joined.as_str())) {
                return Some(*reason);
            }
        }
    }
    if !text.is_ascii() {
        let all: String = words.concat();
        if let Some((_, reason)) = CJK_WORDS.iter().find(|(w, _)| all.contains(w)) {
            return Some(*reason);
        }
    }
    None
}

/// `text` split into words, lower case and without diacritics: at every
/// character that is neither a letter nor a digit, between a lower-case
/// and an upper-case letter (`cardNumber`), before the last capital of a
/// run followed by a lower-case letter (`PINCode`), and between letters
/// and digits (`cvv2`).
pub fn words(text: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if out.len() >= MAX_WORDS {
            return out;
        }
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            let next = chars.get(i + 1).copied();
            let boundary = prev.is_alphanumeric()
                && ((prev.is_lowercase() && c.is_uppercase())
                    || (prev.is_uppercase()
                        && c.is_uppercase()
                        && next.is_some_and(char::is_lowercase))
                    || (prev.is_ascii_digit() != c.is_ascii_digit()));
            if boundary && !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
        }
        for lower in c.to_lowercase() {
            push_folded(&mut cur, lower);
        }
    }
    if !cur.is_empty() && out.len() < MAX_WORDS {
        out.push(cur);
    }
    out
}

/// Appends `c` (lower case) without its diacritics, so that one spelling
/// in the lists serves `Contraseña` and `contrasena`, `hasło` and `haslo`.
fn push_folded(out: &mut String, c: char) {
    let plain = match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' | 'ă' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'ď' | 'đ' | 'ð' => 'd',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ł' | 'ľ' | 'ĺ' => 'l',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => 'o',
        'ř' => 'r',
        'ś' | 'š' | 'ş' | 'ș' => 's',
        'ť' | 'ţ' | 'ț' => 't',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' => 'u',
        'ý' | 'ÿ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ё' => 'е',
        'ß' => return out.push_str("ss"),
        'æ' => return out.push_str("ae"),
        'œ' => return out.push_str("oe"),
        other => other,
    };
    out.push(plain);
}

impl Target {
    /// [`redaction_reason`] for this element.
    pub fn redaction_reason(&self) -> Option<RedactionReason> {
        redaction_reason(&FieldFacts {
            tag: &self.tag,
            input_type: self.input_type.as_deref(),
            autocomplete: self.autocomplete.as_deref(),
            was_password: self.was_password,
            masked: self.masked,
            name: self.name.as_deref(),
            id: self.id.as_deref(),
            label: self.label.as_deref(),
            placeholder: self.placeholder.as_deref(),
        })
    }
}

/// Named keys recorded on their own (without a modifier).
pub const NAMED_KEYS: &[&str] = &[
    "Enter",
    "Escape",
    "Tab",
    "ArrowUp",
    "ArrowDown",
    "ArrowLeft",
    "ArrowRight",
    "PageUp",
    "PageDown",
    "Home",
    "End",
    "F1",
    "F2",
    "F3",
    "F4",
    "F5",
    "F6",
    "F7",
    "F8",
    "F9",
    "F10",
    "F11",
    "F12",
];

/// Keys that are only modifiers: pressing them alone is never an event.
const MODIFIER_KEYS: &[&str] = &[
    "Alt", "AltGraph", "Control", "Meta", "Shift", "CapsLock", "OS", "Super", "Hyper", "Fn",
];

/// ARIA roles whose accessible name may come from the element's content
/// (WAI-ARIA 1.2 "Name From: contents"). Other roles are named only by
/// `aria-label`, `aria-labelledby`, a `<label>` or a placeholder: a
/// textbox is not named after what was typed into it, nor a listbox after
/// all its options.
pub const NAME_FROM_CONTENT_ROLES: &[&str] = &[
    "button",
    "cell",
    "checkbox",
    "columnheader",
    "gridcell",
    "heading",
    "link",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "option",
    "radio",
    "row",
    "rowheader",
    "switch",
    "tab",
    "tooltip",
    "treeitem",
];

/// Whether an element of `role` may be named after its content.
pub fn name_from_content(role: &str) -> bool {
    NAME_FROM_CONTENT_ROLES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(role))
}

/// Whether two accessible names (or texts) are the same for finding an
/// element: equal up to case and runs of whitespace. This is what an
/// OpenClaw plan's selector matches (`name=/^\s*A\s+B\s*$/i`, see
/// `clawtrail_export::selectors`), so the recorder measures uniqueness
/// ([`crate::Target::aria_unique`]) with it.
pub fn names_match(a: &str, b: &str) -> bool {
    let mut a = a
        .split_whitespace()
        .flat_map(|w| std::iter::once(None).chain(w.chars().map(Some)));
    let mut b = b
        .split_whitespace()
        .flat_map(|w| std::iter::once(None).chain(w.chars().map(Some)));
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(None), Some(None)) => {}
            (Some(Some(x)), Some(Some(y))) => {
                if x != y && !x.to_lowercase().eq(y.to_lowercase()) {
                    return false;
                }
            }
            _ => return false,
        }
    }
}

/// Roles of fields whose content is what the user typed or chose, never a
/// way to find them again.
pub fn is_value_role(role: &str) -> bool {
    ["textbox", "searchbox", "combobox", "listbox", "spinbutton"]
        .iter()
        .any(|r| r.eq_ignore_ascii_case(role))
}

/// Whether a key press is worth a `key` event: Enter, Escape, Tab, arrows
/// and the like, or any key with Ctrl/Meta/Alt held. Ordinary typing (a
/// printable character, Backspace, Delete, with or without Shift) is not:
/// it reaches the recording as the field's final value instead.
pub fn is_significant_key(key: &str, modifiers: &Modifiers) -> bool {
    if key.is_empty() || MODIFIER_KEYS.contains(&key) {
        return false;
    }
    if modifiers.is_shortcut() {
        return true;
    }
    NAMED_KEYS.contains(&key)
}

/// URL schemes a recording may contain. Anything else, `javascript:` and
/// `file:` above all, is refused: an exported skill opens these URLs in an
/// agent's browser, and a forged recording that starts at
/// `file:///home/u/.ssh/id_rsa` would hand a local file to whatever page
/// comes next. `clawtrail replay --allow-file-urls` is the one way to replay
/// a `file:` page (see [`UrlPolicy`]).
pub const ALLOWED_SCHEMES: &[&str] = &["http", "https"];

/// The only `about:` URLs a recording holds: the placeholder of a new tab
/// that has not loaded anything yet, and the document of an `<iframe
/// srcdoc>`. Neither loads anything.
pub const ALLOWED_ABOUT_URLS: &[&str] = &["about:blank", "about:srcdoc"];

/// Which URLs are acceptable. Everything that stores, exports or captures
/// uses [`UrlPolicy::Web`]; only a replay the user started with an explicit
/// flag widens it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum UrlPolicy {
    /// http and https (plus [`ALLOWED_ABOUT_URLS`]).
    #[default]
    Web,
    /// Also `file:` URLs.
    WebAndFiles,
}

/// Why a URL is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum UrlProblem {
    #[error("URL scheme is not http or https")]
    DisallowedScheme,
    /// A WHATWG parser reads `\` as `/` in http(s) URLs while people and
    /// naive code read it as part of the path or host:
    /// `https://evil.test\@bank.example.com/` goes to evil.test.
    #[error("URL contains a backslash")]
    Backslash,
    /// `https://bank.example.com@evil.test/` shows one host and opens another.
    #[error("URL contains a user name or password")]
    Credentials,
    #[error("URL does not parse (WHATWG URL rules)")]
    Unparsable,
}

/// Returns the scheme of `url` when it is allowed under [`UrlPolicy::Web`],
/// or `None`. A cheap first check (no parsing) for the capture side; the
/// full rule is [`check_url`].
pub fn allowed_scheme(url: &str) -> Option<&'static str> {
    allowed_scheme_with(url, UrlPolicy::Web)
}

/// [`allowed_scheme`] under `policy`.
pub fn allowed_scheme_with(url: &str, policy: UrlPolicy) -> Option<&'static str> {
    let (scheme, _) = url.split_once(':')?;
    if scheme.eq_ignore_ascii_case("about") {
        return ALLOWED_ABOUT_URLS
            .iter()
            .any(|a| a.eq_ignore_ascii_case(url))
            .then_some("about");
    }
    if policy == UrlPolicy::WebAndFiles && scheme.eq_ignore_ascii_case("file") {
        return Some("file");
    }
    ALLOWED_SCHEMES
        .iter()
        .find(|s| s.eq_ignore_ascii_case(scheme))
        .copied()
}

/// The whole rule for a URL in a recording: an allowed scheme, no
/// backslash, no credentials, and a URL that a WHATWG-conformant parser
/// (the `url` crate, which agrees with browsers) accepts.
pub fn check_url(url: &str, policy: UrlPolicy) -> Result<(), UrlProblem> {
    let scheme = allowed_scheme_with(url, policy).ok_or(UrlProblem::DisallowedScheme)?;
    if url.contains('\\') {
        return Err(UrlProblem::Backslash);
    }
    if scheme == "about" {
        return Ok(());
    }
    let parsed = url::Url::parse(url).map_err(|_| UrlProblem::Unparsable)?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(UrlProblem::Credentials);
    }
    Ok(())
}

/// [`check_url`] without a URL parser, for the content script: an allowed
/// scheme, no backslash, and no `@` before the end of the authority (where
/// WHATWG parsers find credentials). Every URL [`check_url`] accepts passes;
/// the few it refuses besides (a URL no browser would have loaded) are
/// refused by the service worker, which runs `validate()` on each event.
/// The parser is left out here on purpose: its IDNA tables would triple
/// the size of `content.js`, which every frame of every page parses.
pub fn quick_url_ok(url: &str) -> bool {
    let Some(scheme) = allowed_scheme(url) else {
        return false;
    };
    if url.contains('\\') {
        return false;
    }
    if scheme == "about" {
        return true;
    }
    let rest = &url[scheme.len() + 1..];
    let rest = rest.trim_start_matches('/');
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    !authority.contains('@')
}

/// The host (and port, when not the scheme's default) of `url`, as a
/// browser's address bar would show it, for prose like "on
/// shop.example.com". `None` for URLs without a host.
pub fn display_host(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    Some(match parsed.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    })
}

/// A clipboard shortcut: what it does to the clipboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClipboardKey {
    Copy,
    Cut,
    Paste,
    /// Ctrl/Meta+A. Harmless alone; the first half of "select all, copy".
    SelectAll,
}

/// Whether a key press is a clipboard shortcut (Ctrl or Meta with C, X, V
/// or A, and the old Ctrl+Insert, Shift+Insert, Shift+Delete).
///
/// Replaying these moves page content between pages: a forged recording
/// that selects all of one page, copies, opens another and pastes carries
/// the first page's text to the second. Replayers and exports leave them
/// out unless the user allows them.
pub fn clipboard_key(key: &str, modifiers: &Modifiers) -> Option<ClipboardKey> {
    if modifiers.alt {
        return None;
    }
    let command = modifiers.ctrl || modifiers.meta;
    if command {
        match key {
            "c" | "C" => return Some(ClipboardKey::Copy),
            "x" | "X" => return Some(ClipboardKey::Cut),
            "v" | "V" => return Some(ClipboardKey::Paste),
            "a" | "A" => return Some(ClipboardKey::SelectAll),
            "Insert" if !modifiers.shift => return Some(ClipboardKey::Copy),
            _ => {}
        }
    }
    if modifiers.shift && !command {
        match key {
            "Insert" => return Some(ClipboardKey::Paste),
            "Delete" => return Some(ClipboardKey::Cut),
            _ => {}
        }
    }
    None
}

/// The roles of WAI-ARIA 1.2 (and the 1.3 additions Chromium knows) that
/// an element may have: the only values a selector or a description may
/// carry as a role. A page's own `role` attribute is page text; anything
/// not on this list (`button] >> css=body`) is dropped.
pub const ARIA_ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "comment",
    "complementary",
    "contentinfo",
    "definition",
    "deletion",
    "dialog",
    "directory",
    "document",
    "emphasis",
    "feed",
    "figure",
    "form",
    "generic",
    "grid",
    "gridcell",
    "group",
    "heading",
    "image",
    "img",
    "insertion",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "mark",
    "marquee",
    "math",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "meter",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "sectionfooter",
    "sectionheader",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "strong",
    "subscript",
    "suggestion",
    "superscript",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "time",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
];

/// Whether `role` is exactly one of [`ARIA_ROLES`] (lower case, as the
/// recorder writes roles).
pub fn is_aria_role(role: &str) -> bool {
    ARIA_ROLES.binary_search(&role).is_ok()
}

/// Whether two role names mean the same role: equal up to ASCII case, with
/// the synonyms ARIA defines taken as one (`image` is ARIA 1.3's name for
/// `img`, and `presentation` is the older name of `none`). Chromium answers
/// WebDriver's Get Computed Role with `image` and `none` whichever was
/// written, and the recorder may have written either.
pub fn roles_match(a: &str, b: &str) -> bool {
    fn canonical(role: &str) -> &str {
        if role.eq_ignore_ascii_case("img") {
            "image"
        } else if role.eq_ignore_ascii_case("presentation") {
            "none"
        } else {
            role
        }
    }
    canonical(a.trim()).eq_ignore_ascii_case(canonical(b.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule for a field known only by its tag, type and autocomplete.
    fn rr(
        tag: &str,
        input_type: Option<&str>,
        autocomplete: Option<&str>,
        was_password: bool,
    ) -> Option<RedactionReason> {
        redaction_reason(&FieldFacts {
            tag,
            input_type,
            autocomplete,
            was_password,
            ..FieldFacts::default()
        })
    }

    /// The rule for a text input whose `name` is `name`.
    fn named(name: &str) -> Option<RedactionReason> {
        redaction_reason(&FieldFacts {
            tag: "input",
            name: Some(name),
            ..FieldFacts::default()
        })
    }

    #[test]
    fn names_that_say_secret_are_redacted_in_many_languages() {
        use RedactionReason::*;
        let cases: &[(&str, RedactionReason)] = &[
            // English, as identifiers are written.
            ("password", Password),
            ("user_password", Password),
            ("passwd", Password),
            ("pwd", Password),
            ("txtPwd", Password),
            ("pass", Password),
            ("passcode", Password),
            ("user-pin", Password),
            ("userPIN", Password),
            ("PINCode", Password),
            ("pin_code", Password),
            ("pincode", Password),
            ("Enter your PIN", Password),
            ("client_secret", Password),
            ("cardNumber", CardData),
            ("card-number", CardData),
            ("cardnumber", CardData),
            ("Card number", CardData),
            ("cc_num", CardData),
            ("ccnumber", CardData),
            ("creditCard", CardData),
            ("credit card number", CardData),
            ("cvv", CardData),
            ("cvv2", CardData),
            ("CVC", CardData),
            ("Security code", CardData),
            ("securitycode", CardData),
            ("Name on card", CardData),
            ("otp", OneTimeCode),
            ("otp_code", OneTimeCode),
            ("one-time code", OneTimeCode),
            ("onetimecode", OneTimeCode),
            ("Verification code", OneTimeCode),
            ("2FA code", OneTimeCode),
            ("iban", BankAccount),
            ("IBANNumber", BankAccount),
            ("bank account number", BankAccount),
            // German
            ("Passwort", Password),
            ("Kennwort", Password),
            ("Geheimzahl", Password),
            ("Kartennummer", CardData),
            ("Kartenprüfnummer", CardData),
            ("Prüfnummer", CardData),
            ("IBAN", BankAccount),
            ("Kontonummer", BankAccount),
            ("mTAN", OneTimeCode),
            ("Bestätigungscode", OneTimeCode),
            // French
            ("Mot de passe", Password),
            ("mot_de_passe", Password),
            ("Numéro de carte", CardData),
            ("Cryptogramme visuel", CardData),
            ("Code de sécurité", CardData),
            ("Code de vérification", OneTimeCode),
            // Spanish
            ("Contraseña", Password),
            ("contrasena", Password),
            ("Número de tarjeta", CardData),
            ("Código de seguridad", CardData),
            // Portuguese
            ("Senha", Password),
            ("palavra-passe", Password),
            ("Número do cartão", CardData),
            ("Código de segurança", CardData),
            // Italian
            ("Numero della carta", CardData),
            ("Codice di sicurezza", CardData),
            // Dutch
            ("Wachtwoord", Password),
            ("Kaartnummer", CardData),
            ("Rekeningnummer", BankAccount),
            // Polish
            ("Hasło", Password),
            ("Numer karty", CardData),
            ("Numer konta", BankAccount),
            // Swedish, Norwegian, Danish, Finnish
            ("Lösenord", Password),
            ("Passord", Password),
            ("Adgangskode", Password),
            ("Salasana", Password),
            ("Kortnummer", CardData),
            ("Säkerhetskod", CardData),
            ("Engångskod", OneTimeCode),
            // Russian
            ("Пароль", Password),
            ("Введите пароль", Password),
            ("ПИН-код", Password),
            ("Номер карты", CardData),
            ("Код подтверждения", OneTimeCode),
            // Chinese, Japanese, Korean
            ("密码", Password),
            ("请输入密码", Password),
            ("卡号", CardData),
            ("验证码", OneTimeCode),
            ("パスワード", Password),
            ("暗証番号", Password),
            ("カード番号", CardData),
            ("비밀번호를 입력하세요", Password),
            ("카드 번호", CardData),
            ("계좌번호", BankAccount),
        ];
        for (name, reason) in cases {
            assert_eq!(named(name), Some(*reason), "{name}");
        }
    }

    #[test]
    fn words_are_matched_whole_not_inside_other_words() {
        for name in [
            "spinner",
            "shipping",
            "opinion",
            "pinterest",
            "discard",
            "Pinterest URL",
            "spinButton",
            "passport",
            "compass",
            "bypass_mode",
            "passenger",
            "Secretary",
            "scorecard",
            "Postal code",
            "zip_code",
            "promo-code",
            "coupon code",
            "Enter a title for this card",
            "Card title",
            "email",
            "username",
            "Search",
            "company",
            "palabra clave",
            "Suchbegriff",
            "电子邮件",
            "名前",
        ] {
            assert_eq!(named(name), None, "{name}");
        }
    }

    #[test]
    fn words_split_at_separators_case_changes_and_digits() {
        assert_eq!(words("cardNumber"), ["card", "number"]);
        assert_eq!(words("PINCode"), ["pin", "code"]);
        assert_eq!(words("cc_num-2"), ["cc", "num", "2"]);
        assert_eq!(words("cvv2"), ["cvv", "2"]);
        assert_eq!(words("Numéro de carte"), ["numero", "de", "carte"]);
        assert_eq!(words("Straße"), ["strasse"]);
        assert_eq!(words("  "), Vec::<String>::new());
    }

    #[test]
    fn every_place_a_field_is_named_counts_but_only_on_fields() {
        let base = FieldFacts {
            tag: "input",
            ..FieldFacts::default()
        };
        for facts in [
            FieldFacts {
                id: Some("cardNumber"),
                ..base
            },
            FieldFacts {
                label: Some("Card number"),
                ..base
            },
            FieldFacts {
                placeholder: Some("1234 5678 9012 3456 (card number)"),
                ..base
            },
            FieldFacts {
                autocomplete: Some("off cardnumber"),
                ..base
            },
            FieldFacts {
                tag: "textarea",
                name: Some("cardnumber"),
                ..base
            },
            FieldFacts {
                tag: "SELECT",
                name: Some("cc_exp_month"),
                ..base
            },
        ] {
            assert_eq!(
                redaction_reason(&facts),
                Some(RedactionReason::CardData),
                "{facts:?}"
            );
        }
        // Buttons, links and boxes have no value to hide, and their text is
        // how replay finds them.
        for facts in [
            FieldFacts {
                tag: "a",
                label: Some("Forgot password?"),
                ..base
            },
            FieldFacts {
                tag: "button",
                label: Some("Show password"),
                ..base
            },
            FieldFacts {
                input_type: Some("checkbox"),
                id: Some("show-password"),
                ..base
            },
            FieldFacts {
                input_type: Some("submit"),
                name: Some("set_pin"),
                ..base
            },
        ] {
            assert_eq!(redaction_reason(&facts), None, "{facts:?}");
        }
    }

    #[test]
    fn masked_fields_are_redacted_whatever_their_name() {
        let masked = FieldFacts {
            tag: "input",
            input_type: Some("tel"),
            name: Some("field1"),
            masked: true,
            ..FieldFacts::default()
        };
        assert_eq!(redaction_reason(&masked), Some(RedactionReason::Masked));
        // A contenteditable region drawn as dots, too.
        assert_eq!(
            redaction_reason(&FieldFacts {
                tag: "div",
                ..masked
            }),
            Some(RedactionReason::Masked)
        );
        // A more telling reason wins.
        assert_eq!(
            redaction_reason(&FieldFacts {
                name: Some("pin"),
                ..masked
            }),
            Some(RedactionReason::Password)
        );
        assert_eq!(
            redaction_reason(&FieldFacts {
                masked: false,
                ..masked
            }),
            None
        );
    }

    #[test]
    fn a_field_that_replaced_a_password_field_stays_a_password() {
        // The recorder marks the text input a show-password toggle put in
        // the password input's place with `was_password`; its neutral name
        // changes nothing.
        let replacement = FieldFacts {
            tag: "input",
            input_type: Some("text"),
            name: Some("field2"),
            was_password: true,
            ..FieldFacts::default()
        };
        assert_eq!(
            redaction_reason(&replacement),
            Some(RedactionReason::Password)
        );
    }

    #[test]
    fn names_match_up_to_case_and_whitespace_runs() {
        assert!(names_match("Add group", "ADD GROUP"));
        assert!(names_match("  Add\n\tgroup ", "add group"));
        assert!(names_match("Ärger", "ärger"));
        assert!(!names_match("Add group", "Add groups"));
        assert!(!names_match("Add group", "Addgroup"));
        assert!(!names_match("Add", "Add group"));
        assert!(names_match("", "  "));
    }

    #[test]
    fn password_fields_are_redacted_in_any_case() {
        assert_eq!(
            rr("INPUT", Some("PassWord"), None, false),
            Some(RedactionReason::Password)
        );
        assert_eq!(
            rr("input", Some("text"), None, true),
            Some(RedactionReason::Password)
        );
        assert_eq!(
            rr("input", Some("text"), Some("current-password"), false),
            Some(RedactionReason::Password)
        );
    }

    #[test]
    fn autocomplete_tokens_decide() {
        assert_eq!(
            rr("input", Some("text"), Some("one-time-code"), false),
            Some(RedactionReason::OneTimeCode)
        );
        assert_eq!(
            rr("input", None, Some("section-pay billing CC-NUMBER"), false),
            Some(RedactionReason::CardData)
        );
        assert_eq!(
            rr("input", Some("hidden"), None, false),
            Some(RedactionReason::Hidden)
        );
        assert_eq!(rr("input", Some("email"), Some("email"), false), None);
        // `type=password` only means something on an input.
        assert_eq!(rr("button", Some("password"), None, false), None);
    }

    #[test]
    fn typing_is_not_a_key_event() {
        let none = Modifiers::default();
        let shift = Modifiers {
            shift: true,
            ..none
        };
        let ctrl = Modifiers { ctrl: true, ..none };
        assert!(!is_significant_key("a", &none));
        assert!(!is_significant_key("A", &shift));
        assert!(!is_significant_key("Backspace", &none));
        assert!(!is_significant_key("Shift", &shift));
        assert!(!is_significant_key("Control", &ctrl));
        assert!(is_significant_key("Enter", &none));
        assert!(is_significant_key("Tab", &shift));
        assert!(is_significant_key("ArrowDown", &none));
        assert!(is_significant_key("k", &ctrl));
        assert!(is_significant_key("Backspace", &ctrl));
    }

    #[test]
    fn only_web_schemes_are_allowed() {
        assert_eq!(allowed_scheme("https://example.com/"), Some("https"));
        assert_eq!(allowed_scheme("HTTP://x"), Some("http"));
        assert_eq!(allowed_scheme("about:blank"), Some("about"));
        assert_eq!(allowed_scheme("about:srcdoc"), Some("about"));
        assert_eq!(allowed_scheme("about:config"), None);
        assert_eq!(allowed_scheme("file:///etc/passwd"), None);
        assert_eq!(allowed_scheme("FILE:///etc/passwd"), None);
        assert_eq!(
            allowed_scheme_with("file:///tmp/a.html", UrlPolicy::WebAndFiles),
            Some("file")
        );
        assert_eq!(allowed_scheme("javascript:alert(1)"), None);
        assert_eq!(allowed_scheme("data:text/html,x"), None);
        assert_eq!(allowed_scheme("blob:https://a/x"), None);
        assert_eq!(allowed_scheme("no scheme"), None);
    }

    #[test]
    fn url_tricks_are_refused() {
        let web = UrlPolicy::Web;
        assert_eq!(
            check_url("https://bank.example.com/login?a=1#x", web),
            Ok(())
        );
        assert_eq!(check_url("about:blank", web), Ok(()));
        assert_eq!(
            check_url("https://evil.test\\@bank.example.com/", web),
            Err(UrlProblem::Backslash)
        );
        assert_eq!(
            check_url("https://bank.example.com@evil.test/", web),
            Err(UrlProblem::Credentials)
        );
        assert_eq!(
            check_url("https://:pw@evil.test/", web),
            Err(UrlProblem::Credentials)
        );
        assert_eq!(
            check_url("https://exa mple/", web),
            Err(UrlProblem::Unparsable)
        );
        assert_eq!(check_url("http://[::1/", web), Err(UrlProblem::Unparsable));
        assert_eq!(
            check_url("file:///home/u/id_rsa.txt", web),
            Err(UrlProblem::DisallowedScheme)
        );
        assert_eq!(
            check_url("file:///home/u/id_rsa.txt", UrlPolicy::WebAndFiles),
            Ok(())
        );
    }

    #[test]
    fn the_quick_check_accepts_what_check_url_accepts_and_refuses_the_tricks() {
        for url in [
            "https://bank.example.com/login?next=/a@b#x@y",
            "http://127.0.0.1:8080/",
            "HTTPS://EXAMPLE.COM/",
            "about:blank",
            "about:srcdoc",
        ] {
            assert_eq!(check_url(url, UrlPolicy::Web), Ok(()), "{url}");
            assert!(quick_url_ok(url), "{url}");
        }
        for url in [
            "https://evil.test\\@bank.example.com/",
            "https://bank.example.com@evil.test/",
            "https://:pw@evil.test/",
            "file:///etc/passwd",
            "about:config",
            "javascript:alert(1)",
        ] {
            assert!(check_url(url, UrlPolicy::Web).is_err(), "{url}");
            assert!(!quick_url_ok(url), "{url}");
        }
    }

    #[test]
    fn hosts_are_shown_as_a_browser_parses_them() {
        assert_eq!(
            display_host("https://Shop.Example.com:443/a").as_deref(),
            Some("shop.example.com")
        );
        assert_eq!(
            display_host("http://127.0.0.1:8080/").as_deref(),
            Some("127.0.0.1:8080")
        );
        // What a naive split on "@" gets wrong.
        assert_eq!(
            display_host("https://evil.test\\@bank.example.com/").as_deref(),
            Some("evil.test")
        );
        assert_eq!(
            display_host("https://xn--80ak6aa92e.com/").as_deref(),
            Some("xn--80ak6aa92e.com")
        );
        assert_eq!(display_host("about:blank"), None);
    }
    #[test]
    fn clipboard_shortcuts_are_known() {
        let none = Modifiers::default();
        let ctrl = Modifiers { ctrl: true, ..none };
        let meta = Modifiers { meta: true, ..none };
        let shift = Modifiers {
            shift: true,
            ..none
        };
        let ctrl_alt = Modifiers { alt: true, ..ctrl };
        assert_eq!(clipboard_key("c", &ctrl), Some(ClipboardKey::Copy));
        assert_eq!(clipboard_key("V", &meta), Some(ClipboardKey::Paste));
        assert_eq!(clipboard_key("x", &ctrl), Some(ClipboardKey::Cut));
        assert_eq!(clipboard_key("a", &ctrl), Some(ClipboardKey::SelectAll));
        assert_eq!(clipboard_key("Insert", &shift), Some(ClipboardKey::Paste));
        assert_eq!(clipboard_key("Delete", &shift), Some(ClipboardKey::Cut));
        assert_eq!(clipboard_key("Insert", &ctrl), Some(ClipboardKey::Copy));
        assert_eq!(clipboard_key("c", &none), None);
        assert_eq!(clipboard_key("c", &ctrl_alt), None);
        assert_eq!(clipboard_key("s", &ctrl), None);
        assert_eq!(clipboard_key("Enter", &ctrl), None);
    }

    #[test]
    fn aria_roles_are_a_sorted_closed_list() {
        let mut sorted = ARIA_ROLES.to_vec();
        sorted.sort_unstable();
        assert_eq!(sorted, ARIA_ROLES, "binary_search needs the list sorted");
        assert!(is_aria_role("button"));
        assert!(is_aria_role("treeitem"));
        assert!(!is_aria_role("Button"));
        assert!(!is_aria_role("button] >> css=body"));
        assert!(
            !is_aria_role("roletype"),
            "abstract roles are not element roles"
        );
        assert!(!is_aria_role(""));
    }

    #[test]
    fn roles_match_up_to_case_and_synonyms() {
        assert!(roles_match("button", "button"));
        assert!(roles_match("button", "BUTTON"));
        assert!(roles_match("img", "image"));
        assert!(roles_match("Image", "img"));
        assert!(roles_match("presentation", "none"));
        assert!(roles_match("none", "Presentation"));
        assert!(roles_match(" link", "link "));
        assert!(!roles_match("button", "link"));
        assert!(!roles_match("img", "none"));
        assert!(!roles_match("image", "presentation"));
        assert!(!roles_match("button", "buttons"));
        assert!(!roles_match("", "generic"));
        assert!(roles_match("", ""));
    }
}
