//! GeniusWeb JSON domains and profiles (to be written).
