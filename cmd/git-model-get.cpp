// git model get NAME@STAGE|NAME@V|PATH@REV [-o DIR] [--store S] [--manifest FILE]: the bytes of one
// version straight from a store into a folder (lib/release/get.hpp). Needs no repository with
// --manifest: nothing here opens one before the subcommand is known.
#include "git-model.hpp"

#include "common.hpp"

namespace mlci::model_cli {

GetCommand::GetCommand(CLI::App& app) {
    m_cmd =
        app.add_subcommand("get", "Fetch a version's artifacts from the store into a folder (as dvc get)");
    m_cmd
        ->add_option(
            "spec", m_opt.spec,
            "NAME@STAGE, NAME@vX.Y.Z, NAME@latest or PATH@REV (with --manifest: NAME@STAGE, or NAME)")
        ->required();
    m_cmd->add_option("-o,--out", m_opt.out_dir,
                      "the folder to write into, created when missing (default: .)");
    m_cmd->add_option(
        "--store", m_opt.store,
        "a configured store name, a path or a URL (default: the default store, or the manifest's)");
    m_cmd->add_option("--manifest", m_opt.manifest,
                      "a deployment manifest (git model export) to read instead of a repository");
    m_cmd->add_flag("-f,--force", m_opt.force, "replace files or folders already at the targets");
    m_cmd->add_option("-j,--jobs", m_opt.jobs, "parallel downloads of a folder's members (default 8)");
    m_cmd->add_flag("--json", m_json, "print what was fetched as JSON");
}

std::optional<int> GetCommand::run() const {
    if (!m_cmd->parsed()) {
        return std::nullopt;
    }
    auto r = release::get_command(m_opt);
    if (m_json) {
        cli::out_raw(release::get_json(r).dump() + "\n");
    } else {
        cli::out(release::get_text(r));
        cli::note(release::get_line(r));
    }
    return 0;
}

} // namespace mlci::model_cli
