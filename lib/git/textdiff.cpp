// unified_diff (textdiff.hpp): libgit2's patch of two buffers, printed from the "---" line on.
#include "git/textdiff.hpp"

#include "git/handle.hpp"

#include <memory>

namespace mlci::git {

namespace {
struct PatchFree {
    void operator()(git_patch* p) const { git_patch_free(p); }
};
} // namespace

std::string unified_diff(const std::string& old_text, const std::string& new_text,
                         const std::string& old_label, const std::string& new_label, int context) {
    init();
    if (old_text == new_text) {
        return "";
    }
    git_diff_options opts = GIT_DIFF_OPTIONS_INIT;
    opts.context_lines = static_cast<uint32_t>(context);
    opts.flags |= GIT_DIFF_FORCE_TEXT;
    git_patch* raw = nullptr;
    check(git_patch_from_buffers(&raw, old_text.data(), old_text.size(), old_label.c_str(), new_text.data(),
                                 new_text.size(), new_label.c_str(), &opts),
          "cannot diff");
    std::unique_ptr<git_patch, PatchFree> patch(raw);
    git_buf buf = GIT_BUF_INIT;
    check(git_patch_to_buf(&buf, patch.get()), "cannot format diff");
    std::string out(buf.ptr, buf.size);
    git_buf_dispose(&buf);
    // libgit2 prints a "diff --git" header line first; a plain unified diff starts at "---".
    size_t start = out.find("--- ");
    return start == std::string::npos ? out : out.substr(start);
}

} // namespace mlci::git
