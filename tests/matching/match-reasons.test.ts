import { describe, expect, it } from 'vitest';
import { describeMatch, type MatchReasons } from '../../src/matching/match-reasons.ts';

describe('describeMatch', () => {
  it('says in words why a partner matched', () => {
    const reasons: MatchReasons = {
      skills: [
        { skill: 'Kubernetes on Microsoft Azure', role: 'required', tier: 'exact', via: null },
        { skill: 'Identity and Access Management', role: 'required', tier: 'exact', via: null },
        { skill: 'Modernize Endpoints', role: 'required', tier: 'related', via: 'Microsoft Intune' },
        { skill: 'Cloud Security', role: 'required', tier: 'designation', via: 'Microsoft Sentinel' },
        { skill: 'Power BI', role: 'nice', tier: 'exact', via: null },
      ],
      regions: ['dach', 'nordics'],
      remote: true,
      textRelevance: 0.3,
    };
    expect(describeMatch(reasons)).toEqual([
      'Matches your skills: Kubernetes on Microsoft Azure, Identity and Access Management',
      'Close to your skills: Modernize Endpoints (you list Microsoft Intune)',
      'In the same field as your skills: Cloud Security (you list Microsoft Sentinel)',
      'Nice to have, and you offer it: Power BI',
      'Serves DACH (Germany, Austria, Switzerland), Nordics',
      'Your profile describes similar work',
    ]);
  });

  it('mentions remote work only when no region is shared', () => {
    expect(describeMatch({ skills: [], regions: [], remote: true, textRelevance: 0 })).toEqual(['Remote work is welcome']);
  });
});
