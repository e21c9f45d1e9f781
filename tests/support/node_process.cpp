// Placeholder: being written.
#include "node_process.h"
