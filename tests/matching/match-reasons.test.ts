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
      'Serves DACH (Germany, Austria, Switzerland); Nordics',
      'Your profile describes similar work',
    ]);
  });

  it('offers only what the partner lists; a related nice-to-have is close, no more', () => {
    const reasons: MatchReasons = {
      skills: [
        { skill: 'Microsoft Intune', role: 'required', tier: 'exact', via: null },
        { skill: 'Power BI', role: 'nice', tier: 'exact', via: null },
        { skill: 'Modernize Endpoints', role: 'nice', tier: 'related', via: 'Windows 365' },
      ],
      regions: [],
      remote: false,
      textRelevance: 0,
    };
    expect(describeMatch(reasons)).toEqual([
      'Matches your skills: Microsoft Intune',
      'Nice to have, and you offer it: Power BI',
      'Nice to have, close to your skills: Modernize Endpoints (you list Windows 365)',
    ]);
  });

  it('separates labels that hold commas with semicolons, and speaks of the partner to the operator', () => {
    const reasons: MatchReasons = {
      skills: [
        { skill: 'Networking (LAN/WAN, SD-WAN, firewalls)', role: 'required', tier: 'exact', via: null },
        { skill: 'Microsoft Intune', role: 'required', tier: 'exact', via: null },
      ],
      regions: [],
      remote: false,
      textRelevance: 0,
    };
    expect(describeMatch(reasons, 'operator')).toEqual(['Matches their skills: Networking (LAN/WAN, SD-WAN, firewalls); Microsoft Intune']);
  });

  it('mentions remote work only when no region is shared', () => {
    expect(describeMatch({ skills: [], regions: [], remote: true, textRelevance: 0 })).toEqual(['Remote work is welcome']);
  });
});
