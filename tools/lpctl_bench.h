// `lpctl bench`: see lpctl_bench.cpp.
#pragma once

int lpctl_bench_main(int argc, char** argv);
