// `lpctl chain status|activate|reward|withdraw-fees`: what an operator does on Livepeer's
// contracts for an on-chain orchestrator (docs/payments.md).
#pragma once

// argv[0] is "chain", argv[1] the subcommand. Exit codes: 0 ok, 1 failure, 2 usage.
int lpctl_chain_main(int argc, char** argv);
