// `git gate report --format html` (issue 16, part 5): the pull-request view as one self-contained page a
// CI job can keep as an artifact — verdicts, the flipped cases (with their outputs side by side when the
// runs carry details), removed, added and flaky cases, and each suite's metrics with an inline SVG trend
// chart, collapsible per suite. Nothing is loaded from elsewhere: inline CSS, no script, and a
// Content-Security-Policy that forbids everything but inline styles and data: images. Every string from
// notes, gates.toml, refs and commits is HTML-escaped (util/escape.hpp: html_escape), in text, attributes
// and SVG <title>s alike.
#pragma once

#include "eval/report.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mlci::eval {

/// The page, from <!DOCTYPE html> to </html>.
std::string render_html(const Report& r);

/// A metric's values along history for trend_svg.
struct Trend {
    std::vector<std::optional<double>> values; // oldest → newest; nullopt or not finite: a gap
    std::optional<size_t> base;                // the index of the base commit, when among them
    std::string name;                          // the metric (untrusted: escaped by trend_svg)
    std::vector<std::string> labels;           // per point (a short commit id), or empty
};

/// An inline SVG line chart of the trend: the line broken at gaps, a lone point as a dot, the newest
/// point (head) filled, base ringed and marked by a dashed line, min and max labelled on the axis (one
/// label when all values are equal, drawn at mid-height). "" when no value is finite.
std::string trend_svg(const Trend& t);

} // namespace mlci::eval
