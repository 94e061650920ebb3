// git model card / git prompt card (cli_card.hpp): parse, build the card in lib/release, print it.
#include "cli_card.hpp"

#include "common.hpp"
#include "eval/notes.hpp"
#include "release/card.hpp"
#include "util/error.hpp"

namespace mlci::card_cli {

Command::Command(CLI::App& app, promote::Kind kind) : m_kind(kind) {
    std::string what = promote::kind_word(kind);
    m_card = app.add_subcommand("card", "A " + what +
                                            " card of one version: description, hash, lineage, eval runs, "
                                            "gates, stage history (Markdown or JSON)");
    m_card
        ->add_option("spec", m_spec,
                     "NAME[@VERSION|@STAGE] (default: the version in the last stage that holds one, "
                     "else the latest)")
        ->required();
    m_card->add_option("--format", m_format, "markdown (the default) or json");
    m_card->add_flag("--json", m_json, "the same as --format json");
}

std::optional<int> Command::run() {
    if (!m_card->parsed()) {
        return std::nullopt;
    }
    if (m_format != "markdown" && m_format != "json") {
        throw usage_error("unknown card format '" + m_format + "'", "use --format markdown or --format json");
    }
    bool json = m_json || m_format == "json";
    auto s = promote::Scope::open(m_kind);
    release::Card card;
    auto v = release::card_version(*s, m_spec, card);
    eval::NotesStore notes(s->repo);
    release::build_card(*s, notes, v, card);
    if (json) {
        cli::out_raw(release::card_json(card).dump() + "\n");
    } else {
        cli::out_data(release::card_markdown(card));
    }
    return 0;
}

} // namespace mlci::card_cli
