// `lpctl status`: see lpctl_status.cpp.
#pragma once

int lpctl_status_main(int argc, char** argv);
