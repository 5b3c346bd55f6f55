//! A horizontal bar chart as inline SVG: one labelled bar a row, the number at its
//! end, dark text and one dark blue on white, so nothing depends on colour. What the
//! bars count is printed below the axis ("Number of services"), and the chart names
//! itself with `<title>` and `<desc>` for screen readers; the paper prints the same
//! title as the heading above it and gives the same numbers in a table beside it. Labels are escaped here; long ones wrap onto a
//! second line rather than being cut.

use crate::text::html_escaped;

/// The chart's width in SVG units; it scales down to the page.
const WIDTH: usize = 640;
/// The space for the labels, left of the bars.
const LABEL_WIDTH: usize = 290;
/// Characters that fit on one label line at 12px.
const LABEL_CHARS: usize = 44;
/// The height of a row with a one-line label.
const ROW: usize = 22;

/// The chart `title` of `bars` (label, value), each value a number of `counted`
/// ("services"), described by `description`; `id` makes its element ids unique on
/// the page.
pub fn bar_chart(
    id: &str,
    title: &str,
    counted: &str,
    description: &str,
    bars: &[(String, usize)],
) -> String {
    let max = bars.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let bar_space = WIDTH - LABEL_WIDTH - 50;
    let mut rows = String::new();
    let top = 4;
    let mut y = top + 4;
    for (label, value) in bars {
        let lines = wrap(label, LABEL_CHARS);
        let height = ROW + 14 * (lines.len() - 1);
        let middle = y + height / 2;
        let first_line = middle + 4 - 7 * (lines.len() - 1);
        rows.push_str(&format!(
            "<text x=\"{}\" y=\"{first_line}\" text-anchor=\"end\" class=\"label\">",
            LABEL_WIDTH - 8
        ));
        for (i, line) in lines.iter().enumerate() {
            let dy = if i == 0 { 0 } else { 14 };
            rows.push_str(&format!(
                "<tspan x=\"{}\" dy=\"{dy}\">{}</tspan>",
                LABEL_WIDTH - 8,
                html_escaped(line)
            ));
        }
        rows.push_str("</text>");
        let length = value * bar_space / max;
        if length > 0 {
            rows.push_str(&format!(
                "<rect x=\"{LABEL_WIDTH}\" y=\"{}\" width=\"{length}\" height=\"16\" class=\"bar\"/>",
                middle - 8
            ));
        }
        rows.push_str(&format!(
            "<text x=\"{}\" y=\"{}\" class=\"value\">{value}</text>",
            LABEL_WIDTH + length + 6,
            middle + 4
        ));
        y += height;
    }
    let axis_end = y + 4;
    rows.push_str(&format!(
        "<text x=\"{LABEL_WIDTH}\" y=\"{}\" class=\"label\">Number of {}</text>",
        axis_end + 16,
        html_escaped(counted)
    ));
    let height = axis_end + 24;
    format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" width=\"{WIDTH}\" height=\"{height}\" \
         aria-labelledby=\"{id}-title {id}-desc\"><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>\
         <line x1=\"{LABEL_WIDTH}\" y1=\"{top}\" x2=\"{LABEL_WIDTH}\" y2=\"{axis_end}\" class=\"axis\"/>{rows}</svg>",
        html_escaped(title),
        html_escaped(description),
    )
}

/// `text` in lines of at most `width` characters, broken between words (a word
/// longer than a line gets a line of its own, whole).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_labels_wrap_between_words() {
        assert_eq!(
            wrap("Guy's and St Thomas' NHS Foundation Trust", 20),
            ["Guy's and St Thomas'", "NHS Foundation Trust"]
        );
        assert_eq!(wrap("", 20), [""]);
    }

    #[test]
    fn a_chart_names_itself_and_escapes_its_labels() {
        let svg = bar_chart(
            "c",
            "Services <by> status",
            "services",
            "desc",
            &[("A & B".to_owned(), 3), ("C".to_owned(), 0)],
        );
        assert!(svg.contains("<title id=\"c-title\">Services &lt;by&gt; status</title>"), "{svg}");
        assert!(svg.contains(">Number of services</text>"), "the axis does not say what it counts: {svg}");
        assert!(svg.contains("A &amp; B"), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 1, "{svg}");
    }
}
