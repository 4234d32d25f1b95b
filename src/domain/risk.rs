//! Risk grading (风险分级): LEC, risk matrix (LS) and direct judgement.
