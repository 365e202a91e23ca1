#include "export_sss.hpp"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>

namespace cati::tool {
namespace {

using core::export_dataset;
using core::export_variable;

std::string xml_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Characters (UTF-8 code points) in `s`.
std::size_t chars(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80 ? 1 : 0;
  return n;
}

std::string pad_right(const std::string& s, std::size_t width) {
  const auto n = chars(s);
  if (n > width) throw std::runtime_error("Triple-S: a value is wider than its field: " + s);
  return s + std::string(width - n, ' ');
}
std::string pad_left(const std::string& s, std::size_t width) {
  if (s.size() > width) throw std::runtime_error("Triple-S: a number is wider than its field: " + s);
  return std::string(width - s.size(), ' ') + s;
}

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string utc_text(double unix_seconds) {
  const auto t = static_cast<std::time_t>(std::floor(unix_seconds));
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

enum class kind { single, multiple, quantity, character };

// One Triple-S variable: which dataset columns it reads, and how wide its field is.
struct field {
  kind type = kind::character;
  std::size_t column = 0;             // the dataset column (single, quantity, character)
  std::vector<std::size_t> spread;    // multiple: the 0/1 columns, in choice order
  std::string name;
  std::size_t width = 1;
  int decimals = 0;
  double low = 0, high = 0;           // quantity range
  bool weight = false;
};

// The value of cell `c` of variable `v` as its field shows it ("" blank).
std::string value_text(const export_variable& v, const core::export_cell& c, const field& f) {
  if (c.why != core::absence::none) return "";
  if (v.type == core::storage_type::text) return c.text;
  if (!c.number) return "";
  if (v.format == core::display_format::datetime) return utc_text(*c.number);
  return fixed(*c.number, f.type == kind::quantity ? f.decimals : 0);
}

std::vector<field> layout(const export_dataset& d) {
  std::map<std::string, const core::response_set*> sets;
  std::set<std::string> in_set;
  for (const auto& s : d.sets) {
    sets[s.name] = &s;
    for (const auto& v : s.variables) in_set.insert(v);
  }
  std::vector<field> out;
  for (std::size_t i = 0; i < d.variables.size(); ++i) {
    const auto& v = d.variables[i];
    if (in_set.count(v.name)) continue;  // part of its question's spread
    field f;
    f.name = v.name;
    f.column = i;
    if (auto s = sets.find(v.name); s != sets.end()) {
      f.type = kind::multiple;
      for (const auto& name : s->second->variables) f.spread.push_back(*d.find(name));
      f.width = f.spread.size();
    } else if (v.type == core::storage_type::text || v.format == core::display_format::datetime) {
      f.type = kind::character;
      f.width = v.format == core::display_format::datetime ? 20 : static_cast<std::size_t>(std::max(1, v.width));
    } else if (!v.values.empty()) {
      f.type = kind::single;
    } else {
      f.type = kind::quantity;
      f.decimals = v.format == core::display_format::decimal ? v.decimals : 0;
      f.weight = v.group == core::variable_group::weight;
    }
    if (f.type == kind::single || f.type == kind::quantity) {
      bool any = false;
      for (const auto& l : v.values)
        if (l.code >= 0) {
          f.low = any ? std::min(f.low, l.code) : l.code;
          f.high = any ? std::max(f.high, l.code) : l.code;
          any = true;
        }
      for (const auto& row : d.rows)
        if (row[i].why == core::absence::none && row[i].number) {
          f.low = any ? std::min(f.low, *row[i].number) : *row[i].number;
          f.high = any ? std::max(f.high, *row[i].number) : *row[i].number;
          any = true;
        }
      if (f.type == kind::quantity) f.low = std::min(f.low, 0.0);
      f.width = std::max(fixed(f.low, f.decimals).size(), fixed(f.high, f.decimals).size());
    }
    for (const auto& row : d.rows) {
      if (f.type == kind::character) f.width = std::max(f.width, chars(value_text(v, row[i], f)));
    }
    out.push_back(std::move(f));
  }
  return out;
}

void texts(std::ostringstream& out, const std::vector<std::string>& by_lang, const std::vector<std::string>& languages,
           const char* indent) {
  for (std::size_t l = 0; l < languages.size(); ++l)
    out << indent << "<text xml:lang=\"" << languages[l] << "\">" << xml_escape(by_lang[l]) << "</text>\n";
}

}  // namespace

sss_files triple_s(const std::vector<export_dataset>& by_language, const std::vector<std::string>& languages,
                   const std::string& survey_name, const std::string& title, const std::string& data_file_name) {
  if (by_language.empty() || by_language.size() != languages.size())
    throw std::runtime_error("Triple-S: one dataset per language");
  const auto& d = by_language.front();
  const auto fields = layout(d);

  std::ostringstream x;
  std::string langs;
  for (const auto& l : languages) langs += (langs.empty() ? "" : " ") + l;
  x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    << "<sss version=\"2.0\" languages=\"" << langs << "\">\n"
    << "  <origin>cati</origin>\n"
    << "  <survey>\n"
    << "    <name>" << xml_escape(survey_name) << "</name>\n"
    << "    <title>" << xml_escape(title) << "</title>\n"
    << "    <record ident=\"A\" format=\"fixed\" href=\"" << xml_escape(data_file_name) << "\">\n";
  std::size_t position = 1;
  int ident = 0;
  for (const auto& f : fields) {
    const auto& v = d.variables[f.column];
    const char* type = f.type == kind::single ? "single" : f.type == kind::multiple ? "multiple"
                       : f.type == kind::quantity ? "quantity" : "character";
    x << "      <variable ident=\"" << ++ident << "\" type=\"" << type << "\"" << (f.weight ? " use=\"weight\"" : "")
      << ">\n"
      << "        <name>" << xml_escape(f.name) << "</name>\n"
      << "        <label>\n";
    std::vector<std::string> labels;
    for (const auto& ds : by_language) {
      auto label = ds.variables[f.column].label;
      if (f.type == kind::multiple && label.ends_with(" (codes)")) label.resize(label.size() - 8);
      labels.push_back(std::move(label));
    }
    texts(x, labels, languages, "          ");
    x << "        </label>\n"
      << "        <position start=\"" << position << "\" finish=\"" << position + f.width - 1 << "\"/>\n";
    if (f.type == kind::multiple) {
      x << "        <spread subfields=\"" << f.spread.size() << "\" width=\"1\"/>\n        <values>\n";
      for (std::size_t k = 0; k < f.spread.size(); ++k) {
        // The choice's label: the dichotomy's label after the question's ("Where?: Other").
        std::vector<std::string> by_lang;
        for (const auto& ds : by_language) {
          const auto& full = ds.variables[f.spread[k]].label;
          const auto& q = ds.variables[f.column].label;
          const std::string head = q.size() > 8 && q.ends_with(" (codes)") ? q.substr(0, q.size() - 8) + ": " : "";
          by_lang.push_back(!head.empty() && full.starts_with(head) ? full.substr(head.size()) : full);
        }
        x << "          <value code=\"" << k + 1 << "\">\n";
        texts(x, by_lang, languages, "            ");
        x << "          </value>\n";
      }
      x << "        </values>\n";
    } else if (f.type == kind::single) {
      x << "        <values>\n";
      for (std::size_t k = 0; k < v.values.size(); ++k) {
        if (v.values[k].code < 0) continue;  // absence codes: blank fields here
        std::vector<std::string> by_lang;
        for (const auto& ds : by_language) by_lang.push_back(ds.variables[f.column].values[k].label);
        x << "          <value code=\"" << fixed(v.values[k].code, 0) << "\">\n";
        texts(x, by_lang, languages, "            ");
        x << "          </value>\n";
      }
      x << "        </values>\n";
    } else if (f.type == kind::quantity) {
      x << "        <values>\n          <range from=\"" << fixed(f.low, f.decimals) << "\" to=\""
        << fixed(f.high, f.decimals) << "\"/>\n        </values>\n";
    }
    x << "      </variable>\n";
    position += f.width;
  }
  x << "    </record>\n  </survey>\n</sss>\n";

  std::string data;
  for (const auto& row : d.rows) {
    for (const auto& f : fields) {
      const auto& v = d.variables[f.column];
      if (f.type == kind::multiple) {
        for (auto c : f.spread) {
          const auto& cell = row[c];
          data += cell.why != core::absence::none || !cell.number ? " " : *cell.number != 0 ? "1" : "0";
        }
      } else if (f.type == kind::character) {
        data += pad_right(value_text(v, row[f.column], f), f.width);
      } else {
        data += pad_left(value_text(v, row[f.column], f), f.width);
      }
    }
    data += "\r\n";
  }
  return {x.str(), data};
}

}  // namespace cati::tool
