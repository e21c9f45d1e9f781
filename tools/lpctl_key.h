// `lpctl key ...`: Ethereum keystores for a node's identity, and personal_sign messages.
#pragma once

// argv[0] is "key", argv[1] the subcommand. Exit codes: 0 ok, 1 failure, 2 usage.
int lpctl_key_main(int argc, char** argv);
