//! The knowledge of the seed documents as data: DTS scenarios and supported databases, DataWorks policies,
//! trust policy rendering and semantic comparison.
