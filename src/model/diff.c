/* Filled in by its module owner. */
#include "config.h"
