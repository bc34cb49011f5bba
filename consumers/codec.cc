#include "consumers/codec.h"
