#pragma once
// One table writer for every column layout the CLI prints (help, `rio modules`, `rio status`,
// plan and install lines). Columns are sized from the data; the last cell of a row wraps at the
// output width; a cell wider than its column's cap never runs into the next column: the rest of
// the row moves to the next line, indented to where it belongs.

#include <cstddef>
#include <string>
#include <vector>

namespace rio::kernel::cli_detail {

class text_table {
 public:
  /**
   * @param indent   spaces before the first column
   * @param max_cell the widest a column (other than a row's last cell) may grow; longer cells
   *                 push the rest of their row to the next line
   */
  explicit text_table(std::size_t indent = 2, std::size_t max_cell = 30) : indent_(indent), max_cell_(max_cell) {}

  /** A line of its own at column 0 ("Options:"); not measured. */
  void heading(std::string text);
  /** A row; its last cell spans the remaining columns and wraps. */
  void row(std::vector<std::string> cells);
  /** A wrapped line that starts where `column` starts (details under a row). */
  void note(std::size_t column, std::string text);

  std::string render(std::size_t width) const;

 private:
  enum class kind { heading, row, note };
  struct entry {
    kind what;
    std::vector<std::string> cells;
    std::size_t column = 0;
  };
  std::vector<std::size_t> widths() const;

  std::size_t indent_;
  std::size_t max_cell_;
  std::vector<entry> lines_;
};

/** Greedy word wrap of `text` to `width` columns; continuation lines start with `pad` spaces. */
std::string wrap(const std::string& text, std::size_t width, std::size_t pad);

/** Text width wanted for `columns_env` (the value of $COLUMNS, if any): it, else `terminal`, else 100. */
std::size_t output_width(const char* columns_env_value, std::size_t terminal);

}  // namespace rio::kernel::cli_detail
