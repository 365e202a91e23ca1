// The simulated fieldwork manager's sample release: the frame split into replicates before the first
// call, a first release sized from an assumed yield, then each evening a look at what the released sample
// has given and can still give, and the next replicate released only when what is in the field cannot
// reach the target. So each replicate is worked out (called until its cases are finalised) before more
// sample goes out, as careful practice has it, instead of the whole frame being dialled once or twice
// while the quotas fill.
//
// The rule: nothing released yet, a quarter of the replicates go out (rounded up: enough for the first
// days' calls, and the yield is learnt from them). Then, with y the completes per worked-out case so far
// (a prior of 8 % until 100 cases are worked out): the released sample is expected to give completes + left x y x 1/2 (the cases left are the harder
// ones: half the yield), and a newly released replicate cases x y x min(1, days left / 4) (a replicate
// takes about four fieldwork days to work out). Replicates are released, lowest first, while the expected
// completes stay below the target.
//
// Pure: no I/O.
#pragma once

#include <string>
#include <vector>

namespace cati::tool::sim {

struct replicate_state {
  int replicate = 0;
  int cases = 0;
  bool released = false;
  int worked_out = 0, left = 0, completes = 0;
};

struct release_decision {
  std::vector<int> release;  // the replicates to release now, lowest first
  double yield = 0;          // the completes per worked-out case the decision assumed
  double expected = 0;       // completes expected from the released sample, these releases included
  std::string why;           // one line for the report
};

release_decision decide_release(const std::vector<replicate_state>& replicates, int target, int completes,
                                int days_left);

}  // namespace cati::tool::sim
