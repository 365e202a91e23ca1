#include "core/sample/sample_names.hpp"

#include <array>
#include <cstdint>
#include <span>

namespace cati::core::synthetic {
namespace {

using words = std::span<const std::string_view>;

constexpr std::array<std::string_view, 20> coined_starts = {
    "Vel", "Kor", "Dor", "Lan", "Mer", "Tra", "Bel", "Zan", "Quin", "Ar",
    "Sol", "Ver", "Nor", "Cal", "Ren", "Pal", "Lum", "Tor", "Fen", "Gal"};
constexpr std::array<std::string_view, 10> coined_middles = {"a", "i", "o", "e", "u",
                                                             "ano", "ira", "elo", "ar", "in"};
constexpr std::array<std::string_view, 12> coined_ends = {"x", "tra", "ville", "lux", "gen", "tec",
                                                          "nova", "dis", "com", "vo", "na", "ria"};

struct flavour {
  words sector_services, sector_commerce, sector_industry;
  words surname_prefixes, surname_roots, surname_suffixes;
  words first_names;
  std::array<std::string_view, 3> legal_forms;  // weighted 70/20/10
  std::string_view and_sons;
};

constexpr std::array<std::string_view, 10> nl_services = {
    "Advies", "Consult", "IT", "Boekhouding", "Schoonmaak", "Transport", "Design", "Kapsalon",
    "Vastgoed", "Verzekeringen"};
constexpr std::array<std::string_view, 8> nl_commerce = {"Handel", "Shop", "Bakkerij", "Slagerij",
                                                         "Wijnhandel", "Bloemen", "Fietsen", "Groothandel"};
constexpr std::array<std::string_view, 7> nl_industry = {"Bouw", "Metaalwerken", "Schrijnwerkerij", "Drukkerij",
                                                         "Techniek", "Houtbewerking", "Elektro"};
constexpr std::array<std::string_view, 8> nl_prefixes = {"", "", "", "Van ", "De ", "Van de ", "Vande", "Ver"};
constexpr std::array<std::string_view, 15> nl_roots = {"molen", "hage", "straete", "brugge", "kerke",
                                                       "linde", "berghe", "wouwe", "damme", "hoeve",
                                                       "vliege", "meere", "kampe", "broecke", "heyde"};
constexpr std::array<std::string_view, 7> nl_suffixes = {"", "", "", "n", "ns", "man", "naert"};
constexpr std::array<std::string_view, 16> nl_first = {"Jan", "Pieter", "Els", "An", "Koen", "Sofie",
                                                       "Tom", "Katrien", "Bart", "Lien", "Wim", "Griet",
                                                       "Joris", "Ilse", "Dirk", "Hilde"};

constexpr std::array<std::string_view, 10> fr_services = {
    "Conseil", "Services", "Informatique", "Comptabilité", "Nettoyage", "Transports", "Design", "Coiffure",
    "Immobilière", "Assurances"};
constexpr std::array<std::string_view, 8> fr_commerce = {"Commerce", "Boutique", "Boulangerie", "Boucherie",
                                                         "Vins", "Fleurs", "Cycles", "Distribution"};
constexpr std::array<std::string_view, 7> fr_industry = {"Construction", "Métallerie", "Menuiserie",
                                                         "Imprimerie", "Technique", "Ébénisterie",
                                                         "Électricité"};
constexpr std::array<std::string_view, 6> fr_prefixes = {"", "", "Du", "De ", "Le", "La"};
// Roots end in a consonant and suffixes start with a vowel, so that every pair reads as a name.
constexpr std::array<std::string_view, 15> fr_roots = {"mont", "bois", "val", "roch", "fontain",
                                                       "champ", "ferr", "chen", "marc", "pierr",
                                                       "lamb", "gaill", "thier", "rouss", "bern"};
constexpr std::array<std::string_view, 9> fr_suffixes = {"et", "ard", "ier", "ois", "aux", "eau", "in", "elle", "e"};
constexpr std::array<std::string_view, 16> fr_first = {"Marc", "Sophie", "Jean", "Isabelle", "Luc",
                                                       "Nathalie", "Philippe", "Catherine", "Olivier",
                                                       "Valérie", "Thierry", "Anne", "Pierre", "Martine",
                                                       "Julien", "Claire"};

const flavour dutch{nl_services, nl_commerce, nl_industry, nl_prefixes, nl_roots, nl_suffixes, nl_first,
                    {"BV", "NV", "CommV"}, "Zonen"};
const flavour french{fr_services, fr_commerce, fr_industry, fr_prefixes, fr_roots, fr_suffixes, fr_first,
                     {"SRL", "SA", "SComm"}, "Fils"};

const flavour& flavour_of(std::string_view language) { return language == "nl" ? dutch : french; }

std::string_view pick(splitmix64& rng, words list) { return list[rng.below(list.size())]; }

std::string capitalized(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

std::string coined(splitmix64& rng) {
  std::string out(pick(rng, coined_starts));
  if (rng.chance_permille(500)) out += pick(rng, coined_middles);
  out += pick(rng, coined_ends);
  return out;
}

std::string surname(splitmix64& rng, const flavour& f) {
  std::string_view prefix = pick(rng, f.surname_prefixes);
  std::string_view root = pick(rng, f.surname_roots);
  std::string_view suffix = pick(rng, f.surname_suffixes);
  // A root is capitalised when it starts the name or follows a separate particle ("Van Molen"),
  // and stays lower case when glued to one ("Vandemolen", "Dubois").
  bool glued = !prefix.empty() && prefix.back() != ' ';
  return std::string(prefix) + (glued ? std::string(root) : capitalized(root)) + std::string(suffix);
}

std::string_view sector_word(splitmix64& rng, const flavour& f, std::string_view sector) {
  if (sector == "commerce") return pick(rng, f.sector_commerce);
  if (sector == "industry") return pick(rng, f.sector_industry);
  return pick(rng, f.sector_services);
}

}  // namespace

std::string company_name(splitmix64& rng, std::string_view sector, std::string_view language) {
  const flavour& f = flavour_of(language);
  static constexpr std::array<std::uint32_t, 4> patterns = {30, 25, 25, 20};
  std::string name;
  switch (rng.weighted(patterns)) {
    case 0: name = coined(rng); break;
    case 1: name = coined(rng) + " " + std::string(sector_word(rng, f, sector)); break;
    case 2: name = std::string(sector_word(rng, f, sector)) + " " + surname(rng, f); break;
    default:
      name = surname(rng, f) + " & " + (rng.chance_permille(500) ? std::string(f.and_sons) : surname(rng, f));
      break;
  }
  static constexpr std::array<std::uint32_t, 3> legal_weights = {70, 20, 10};
  return name + " " + std::string(f.legal_forms[rng.weighted(legal_weights)]);
}

std::string person_name(splitmix64& rng, std::string_view language) {
  const flavour& f = flavour_of(language);
  std::string first(pick(rng, f.first_names));
  return first + " " + surname(rng, f);
}

}  // namespace cati::core::synthetic
