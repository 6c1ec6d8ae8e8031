// libyaml (Debian: libyaml-dev), read through its event API by `check`.
#include <yaml.h>
