//! GENIUS XML domains and profiles (to be written).
