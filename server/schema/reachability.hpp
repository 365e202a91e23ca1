// "Can every question be reached?": walks the questionnaire through the real engine many times with
// answers drawn from each question's own domain (its choices, the numbers its study's expressions
// mention and their neighbours, short and long texts), and reports the questions no walk showed.
// Deterministic (fixed seed). A question it reports is one whose `relevant` contradicts the routing or a
// screen-out before it; the search is a sampling one, so the message says what to look at. It stops as
// soon as every question has been shown, so `walks` bounds only the search for a study that has some
// unreachable question.
#pragma once

#include <string>
#include <vector>

#include "core/questionnaire/questionnaire.hpp"

namespace cati::schema {

// Names of the questions that no walk reached, in questionnaire order.
std::vector<std::string> unreachable_questions(const std::shared_ptr<const core::questionnaire>& study,
                                               int walks = 3000);

}  // namespace cati::schema
