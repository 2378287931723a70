//! browser layer
