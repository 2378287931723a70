//! The pure engine: no browser types, tested natively.

pub mod bridge;
pub mod config;
pub mod course;
pub mod course12;
pub mod manifest;
pub mod map;
pub mod num;
pub mod persist;
pub mod prerequisites;
pub mod rte;
pub mod scorm12;
pub mod scorm2004;
pub mod seqdef;
pub mod sequencing;
pub mod strlist;
pub mod text;
pub mod views;
