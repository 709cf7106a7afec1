//! A scenario written out whole as a [`ScenarioText`]: every input
//! explicit and every byte inline, so a journal file can carry the inputs
//! of its run and `replay` can build them again through
//! [`ScenarioText::build`] with nothing else at hand.
//!
//! Text that is UTF-8 stays text; other bytes are base64. Limits, clocks,
//! backend, report and serving mode are written even where they are the
//! defaults, so a later version's defaults cannot change a recorded run.
//! The MemFs goes in as its entries and quota; timestamps and hard-link
//! identity are not kept, so a rebuilt tree starts at the default time
//! with every name its own inode.

use super::Scenario;
use super::build::inline;
use super::text::{
    Body, CallText, ClockText, EntryKind, EntryText, FaultsText, HttpText, MockText, PreopenText, QuotaText, RequestText,
    ScenarioText,
};
use crate::host::{HttpMocks, LimitOverrides, UrlMatch, timeout_ms};
use crate::memfs::Kind;

impl ScenarioText {
    /// `scenario`, whole.
    pub fn of(scenario: &Scenario) -> ScenarioText {
        let i = &scenario.inputs;
        let Body { text: stdin, base64: stdin_base64, .. } = Body::inline(&i.stdin);
        let l = &i.limits;
        let limits = LimitOverrides {
            fuel: Some(l.fuel.unwrap_or(0)),
            timeout_ms: Some(timeout_ms(l.timeout)),
            memory_bytes: Some(l.memory_bytes),
            capture_bytes: Some(l.capture_bytes),
            fs_bytes: Some(l.fs_bytes),
            fs_inodes: Some(l.fs_inodes),
            // Nothing is read from a file when the text is built again.
            input_bytes: None,
        };
        let (mut quota, mut entry) = (None, Vec::new());
        if let Some(fs) = &scenario.fs {
            let q = fs.quota();
            if q.max_bytes.is_some() || q.max_inodes.is_some() {
                quota = Some(QuotaText { bytes: q.max_bytes, inodes: q.max_inodes });
            }
            for e in fs.walk().into_iter().filter(|e| e.path != "/") {
                let content = fs.content(e.ino).unwrap_or_default();
                let (kind, (text, base64), target) = match e.kind {
                    Kind::Dir => (EntryKind::Dir, (None, None), None),
                    Kind::File => (EntryKind::File, inline(content), None),
                    Kind::Symlink => (EntryKind::Symlink, (None, None), Some(String::from_utf8_lossy(content).into_owned())),
                };
                entry.push(EntryText { path: e.path, kind, text, base64, target });
            }
        }
        let request = scenario
            .requests
            .iter()
            .map(|r| {
                let body = Body::inline(&r.body);
                RequestText {
                    method: r.method.clone(),
                    path: r.path.clone(),
                    headers: r.headers.iter().cloned().collect(),
                    body: body.text,
                    body_base64: body.base64,
                    body_file: None,
                }
            })
            .collect();
        // Preopens mean something only with a tree.
        let preopen: Vec<PreopenText> = match scenario.fs {
            Some(_) => i.preopens.iter().map(|p| PreopenText { guest: p.guest_path.clone(), fixture: None, read_only: p.read_only }).collect(),
            None => Vec::new(),
        };
        let draw = i.faults.draw.as_ref();
        ScenarioText {
            name: Some(scenario.name.clone()),
            seed: i.seed,
            args: i.args.clone(),
            env: i.env.iter().map(|(k, v)| format!("{k}={v}")).collect(),
            stdin,
            stdin_base64,
            backend: Some(i.backend),
            fs_report: scenario.fs.as_ref().map(|_| scenario.fs_report),
            journal: i.journal,
            serve: Some(scenario.serve),
            limits: Some(limits),
            quota,
            clock: Some(ClockText {
                wall_start_ns: Some(u64::try_from(i.clock.wall_start.as_nanos()).unwrap_or(u64::MAX)),
                monotonic_start_ns: Some(i.clock.monotonic_start),
            }),
            faults: (!i.faults.is_empty()).then(|| FaultsText {
                plan: i.faults.texts(),
                seed: draw.map(|d| d.seed),
                kinds: draw.map(|d| d.kinds.iter().map(|k| k.name().to_string()).collect()),
                count: draw.map(|d| d.count),
            }),
            schedule: (i.schedule != crate::schedule::Strategy::Default).then(|| i.schedule.to_string()),
            preopen,
            entry,
            call: scenario.calls.iter().map(|c| CallText { invoke: c.clone() }).collect(),
            request,
            http: Some(HttpText::of(&i.http, |_, body| Ok::<_, std::convert::Infallible>(Body::inline(body))).unwrap_or_else(|e| match e {})),
            ..ScenarioText::default()
        }
    }
}

impl Body {
    /// `bytes` inline: text when UTF-8, else base64; nothing when empty.
    pub fn inline(bytes: &[u8]) -> Body {
        if bytes.is_empty() {
            return Body::default();
        }
        let (text, base64) = inline(bytes);
        Body { text, base64, file: None }
    }
}

impl HttpText {
    /// `mocks` in the text model; each non-empty body goes where
    /// `body(index, bytes)` puts it.
    pub(crate) fn of<E>(mocks: &HttpMocks, mut body: impl FnMut(usize, &[u8]) -> Result<Body, E>) -> Result<HttpText, E> {
        let mut mock = Vec::new();
        for (n, r) in mocks.rules.iter().enumerate() {
            let b = if r.body.is_empty() { Body::default() } else { body(n, &r.body)? };
            let (mut url, mut url_prefix, mut url_glob) = (None, None, None);
            match &r.url {
                UrlMatch::Exact(u) => url = Some(u.clone()),
                UrlMatch::Prefix(u) => url_prefix = Some(u.clone()),
                UrlMatch::Glob(g) => url_glob = Some(g.as_str().to_string()),
            }
            mock.push(MockText {
                name: r.name.clone(),
                method: r.method.clone(),
                url,
                url_prefix,
                url_glob,
                headers: r.headers.iter().cloned().collect(),
                status: r.status,
                response_headers: r.response_headers.iter().cloned().collect(),
                body: b.text,
                body_base64: b.base64,
                body_file: b.file,
                chunks: r.chunks,
            });
        }
        Ok(HttpText { redact: Some(mocks.redact.clone()), mock })
    }
}
