//! The timeline: a journal's host calls along virtual time, drawn a page
//! at a time.
//!
//! The calls travel in the page as JSON, one `[time, group, name,
//! arguments, result, paths]` array per journal line, in a
//! `script type="application/json"` whose `<` are written `\u003c`, so no
//! text in it can close the element. The page's script draws
//! [`PAGE`] calls at a time into the timeline's `ol`, one `li` per call
//! with `data-kind` (its group: `fs`, `clock`, `random`, `stdio`, `http`,
//! `env`, `other`) and `data-index` (its line in the journal, from 1),
//! setting every value as text, never as markup. A marked call (where two
//! journals part) gets the class `diverged` and is drawn open, on the page
//! shown first. A link to `page.html#call-N` opens each timeline at its
//! call N instead (class `linked`).

use maud::{Markup, PreEscaped, html};

/// Calls drawn at a time.
const PAGE: usize = 500;

/// The groups of calls, each with the name its checkbox shows.
const KINDS: [(&str, &str); 7] =
    [("fs", "filesystem"), ("clock", "clocks"), ("random", "random"), ("stdio", "stdio"), ("http", "HTTP"), ("env", "environment and exit"), ("other", "other")];

/// The timeline of `lines`, its elements' ids starting with `id`, and
/// the call at index `mark` (from 0) marked; a mark past the end marks
/// where the journal ends.
pub(super) fn timeline(lines: &[String], id: &str, mark: Option<usize>) -> Markup {
    let data: Vec<(&str, &str, &str, &str, &str, Vec<&str>)> = lines
        .iter()
        .map(|line| {
            let (time, op, args, result) = split(line);
            let kind = kind_of(op);
            let paths = if kind == "fs" { paths(args) } else { Vec::new() };
            (time, kind, op, args, result, paths)
        })
        .collect();
    // Inside a script element only `</script` could end it; JSON lets `<`
    // be written as an escape in its strings, the only place it occurs.
    let json = serde_json::to_string(&data).unwrap_or_default().replace('<', "\\u003c");
    html! {
        div.timeline id=(id) data-calls=(lines.len()) data-page=(PAGE) data-mark=[mark.map(|m| m + 1)] {
            p.legend {
                (lines.len()) " calls. Show: "
                @for (kind, name) in KINDS {
                    label.(kind) { input type="checkbox" checked data-kind=(kind); " " (name) }
                    " "
                }
            }
            @if lines.len().max(mark.map_or(0, |m| m + 1)) > PAGE {
                p.pager {
                    button type="button" data-go="first" { "first" }
                    button type="button" data-go="previous" { "previous" }
                    span.where {}
                    button type="button" data-go="next" { "next" }
                    button type="button" data-go="last" { "last" }
                    label { "call " input type="number" min="1" max=(lines.len()) size="7"; }
                    @if mark.is_some() { button type="button" data-go="mark" { "where they part" } }
                }
            }
            noscript { p.note { "The timeline is drawn by the page's script; the calls are in the page as JSON." } }
            ol {}
            script.calls type="application/json" { (PreEscaped(json)) }
        }
    }
}

/// The group a journal call belongs to, by its name.
fn kind_of(op: &str) -> &'static str {
    match op.split('.').next().unwrap_or("") {
        "fs" => "fs",
        "clock" => "clock",
        "random" => "random",
        "stdin" | "stdout" | "stderr" => "stdio",
        "http" => "http",
        "env" | "exit" => "env",
        _ => "other",
    }
}

/// A journal line split into its time, its call's name, its arguments
/// and its result.
fn split(line: &str) -> (&str, &str, &str, &str) {
    let (time, rest) = line.split_once(' ').unwrap_or(("", line));
    let (call, result) = rest.rsplit_once(" -> ").unwrap_or((rest, ""));
    let (op, args) = call.split_once('(').map_or((call, ""), |(op, a)| (op, a.strip_suffix(')').unwrap_or(a)));
    (time, op, args, result)
}

/// The paths a filesystem call's arguments name: its quoted strings.
fn paths(args: &str) -> Vec<&str> {
    args.split('"').skip(1).step_by(2).collect()
}

/// Draws every timeline of the page, and hides and shows its groups.
pub(super) const SCRIPT: &str = r#"
for (const tl of document.querySelectorAll('.timeline')) {
  const PAGE = Number(tl.dataset.page);
  const calls = JSON.parse(tl.querySelector('script.calls').textContent);
  const mark = Number(tl.dataset.mark || 0);
  const list = tl.querySelector('ol');
  const boxes = [...tl.querySelectorAll('.legend input')];
  const last = Math.max(0, Math.floor((Math.max(calls.length, mark) - 1) / PAGE) * PAGE);
  const pageOf = (n) => Math.min(last, Math.floor((n - 1) / PAGE) * PAGE);
  // `page.html#call-N` opens every timeline at its call N.
  const linked = Number((/^#call-(\d+)$/.exec(location.hash) || [])[1] || 0);
  const wanted = linked >= 1 && linked <= calls.length ? linked : 0;
  let first = wanted ? pageOf(wanted) : mark ? pageOf(mark) : 0;
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const draw = () => {
    const hidden = new Set(boxes.filter((b) => !b.checked).map((b) => b.dataset.kind));
    const end = Math.min(first + PAGE, calls.length);
    list.replaceChildren();
    list.start = first + 1;
    for (let i = first; i < end; i++) {
      const [time, kind, op, args, result, paths] = calls[i];
      const li = el('li');
      li.dataset.kind = kind;
      li.dataset.index = i + 1;
      if (hidden.has(kind)) li.classList.add('hidden');
      const details = el('details');
      const summary = el('summary');
      summary.append(el('span', 'time', time), ' ', el('span', 'op ' + kind, op));
      if (result) summary.append(' \u2192 ', el('span', 'result', result));
      const dl = el('dl');
      const row = (name, value) => { const dd = el('dd'); dd.append(value); dl.append(el('dt', '', name), dd); };
      row('call', el('code', '', op + '(' + args + ')'));
      if (result) row('result', el('code', '', result));
      if (paths.length) {
        const dd = el('span');
        for (const p of paths) dd.append(el('code', 'path', p), ' ');
        row('paths', dd);
      }
      details.append(summary, dl);
      li.append(details);
      if (i + 1 === mark) {
        li.classList.add('diverged');
        li.id = tl.id + '-parts';
        details.open = true;
      }
      list.append(li);
    }
    if (mark > calls.length && end === calls.length && mark <= first + PAGE) {
      const li = el('li', 'diverged end', 'the run ends here');
      li.id = tl.id + '-parts';
      list.append(li);
    }
    const where = tl.querySelector('.where');
    if (where) where.textContent = 'calls ' + (first + 1) + '\u2013' + end + ' of ' + calls.length;
  };
  for (const box of boxes) {
    box.addEventListener('change', () => {
      for (const li of list.querySelectorAll('li[data-kind="' + box.dataset.kind + '"]')) li.classList.toggle('hidden', !box.checked);
    });
  }
  for (const button of tl.querySelectorAll('.pager button')) {
    button.addEventListener('click', () => {
      const go = button.dataset.go;
      first = go === 'first' ? 0 : go === 'last' ? last : go === 'mark' ? pageOf(mark)
        : Math.min(last, Math.max(0, first + (go === 'next' ? PAGE : -PAGE)));
      draw();
      if (go === 'mark') document.getElementById(tl.id + '-parts').scrollIntoView({ block: 'center' });
    });
  }
  const jump = tl.querySelector('.pager input');
  if (jump) {
    jump.addEventListener('change', () => {
      const n = Number(jump.value);
      if (n >= 1 && n <= calls.length) {
        first = pageOf(n);
        draw();
        list.querySelector('li[data-index="' + n + '"]').scrollIntoView({ block: 'center' });
      }
    });
  }
  draw();
  if (wanted) {
    const li = list.querySelector('li[data-index="' + wanted + '"]');
    li.classList.add('linked');
    li.querySelector('details').open = true;
    li.scrollIntoView({ block: 'center' });
  }
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_splits_into_time_call_arguments_and_result() {
        let line = r#"3ms fs.open-at(fd 3, "a/b.txt", create) -> fd 5"#;
        assert_eq!(split(line), ("3ms", "fs.open-at", r#"fd 3, "a/b.txt", create"#, "fd 5"));
        assert_eq!(paths(r#"fd 3, "a/b.txt", "c""#), ["a/b.txt", "c"]);
        assert_eq!(kind_of("stdout.write"), "stdio");
    }

    #[test]
    fn no_text_in_the_data_can_close_its_script() {
        let page = timeline(&["0s stdout.write(\"</script><b>\") -> 9".to_string()], "t", None).into_string();
        assert!(!page.contains("</script><b>") && page.contains("\\u003c/script>\\u003cb>"), "{page}");
        assert_eq!(page.matches("</script>").count(), 1);
    }
}
