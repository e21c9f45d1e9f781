// `lpctl transcode`: see lpctl_transcode.cpp.
#pragma once

int lpctl_transcode_main(int argc, char** argv);
