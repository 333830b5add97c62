// A thread's end as the library sees it: the first allocation of a thread arms a pthread key
// whose destructor hands the thread's quarantine batch and cache back and forgets its stacks.
#pragma once

namespace dm {

// Called once at initialisation, before any thread cache exists.
void thread_exit_init();

}  // namespace dm
